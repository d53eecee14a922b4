//! The 24-byte guest Variant (type at +0, payload at +8) and its conversion to and from Godot
//! Variants (docs/guest-abi.md §2).

use godot::prelude::*;
use rvsandbox_vm::Memory;

use super::refs::Refs;
use super::AbiError;

/// Size of a guest Variant in bytes.
pub const SIZE: u64 = 24;
/// Number of Godot Variant types (`Variant::VARIANT_MAX`).
pub const TYPE_COUNT: u32 = 39;

/// The Godot type with Godot 4 number `ord`, if there is one.
pub fn variant_type(ord: u32) -> Option<VariantType> {
    (ord < TYPE_COUNT).then(|| VariantType::from_sys(ord as _))
}

/// Types stored by value in the payload (everything else is a scoped index, except OBJECT,
/// which holds an object handle).
pub fn is_inline(ty: VariantType) -> bool {
    matches!(
        ty,
        VariantType::NIL
            | VariantType::BOOL
            | VariantType::INT
            | VariantType::FLOAT
            | VariantType::VECTOR2
            | VariantType::VECTOR2I
            | VariantType::RECT2
            | VariantType::RECT2I
            | VariantType::VECTOR3
            | VariantType::VECTOR3I
            | VariantType::VECTOR4
            | VariantType::VECTOR4I
            | VariantType::COLOR
            | VariantType::PLANE
            | VariantType::OBJECT
    )
}

/// A guest Variant as raw bytes: the type number and the 16-byte payload.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct GuestVariant {
    pub ty: u32,
    pub payload: [u8; 16],
}

impl GuestVariant {
    pub fn nil() -> GuestVariant {
        GuestVariant::default()
    }

    pub fn read(memory: &Memory, addr: u64) -> Result<GuestVariant, AbiError> {
        let bytes = memory.view(addr, SIZE)?;
        let mut payload = [0; 16];
        payload.copy_from_slice(&bytes[8..24]);
        Ok(GuestVariant { ty: u32::from_le_bytes(bytes[0..4].try_into().unwrap_or_default()), payload })
    }

    /// Writes type, zeroed padding and payload.
    pub fn write(&self, memory: &mut Memory, addr: u64) -> Result<(), AbiError> {
        let bytes = memory.view_mut(addr, SIZE)?;
        bytes[0..4].copy_from_slice(&self.ty.to_le_bytes());
        bytes[4..8].fill(0);
        bytes[8..24].copy_from_slice(&self.payload);
        Ok(())
    }

    pub fn to_bytes(&self) -> [u8; 24] {
        let mut out = [0; 24];
        out[0..4].copy_from_slice(&self.ty.to_le_bytes());
        out[8..24].copy_from_slice(&self.payload);
        out
    }

    /// The 64-bit payload word at +8 (int, double bits, handle, index).
    pub fn word(&self) -> u64 {
        u64::from_le_bytes(self.payload[0..8].try_into().unwrap_or_default())
    }

    /// The payload as a scoped/permanent index: the low 32 bits, signed.
    pub fn index(&self) -> i32 {
        self.word() as u32 as i32
    }

    fn f32_at(&self, i: usize) -> f32 {
        f32::from_le_bytes(self.payload[i * 4..i * 4 + 4].try_into().unwrap_or_default())
    }

    fn i32_at(&self, i: usize) -> i32 {
        i32::from_le_bytes(self.payload[i * 4..i * 4 + 4].try_into().unwrap_or_default())
    }

    fn with_word(ty: VariantType, word: u64) -> GuestVariant {
        let mut payload = [0; 16];
        payload[0..8].copy_from_slice(&word.to_le_bytes());
        GuestVariant { ty: ty.ord as u32, payload }
    }

    fn with_f32s(ty: VariantType, values: &[f32]) -> GuestVariant {
        let mut payload = [0; 16];
        for (i, v) in values.iter().enumerate() {
            payload[i * 4..i * 4 + 4].copy_from_slice(&v.to_le_bytes());
        }
        GuestVariant { ty: ty.ord as u32, payload }
    }

    fn with_i32s(ty: VariantType, values: &[i32]) -> GuestVariant {
        let mut payload = [0; 16];
        for (i, v) in values.iter().enumerate() {
            payload[i * 4..i * 4 + 4].copy_from_slice(&v.to_le_bytes());
        }
        GuestVariant { ty: ty.ord as u32, payload }
    }

    /// A Variant that refers to the host Variant at `index`.
    pub fn scoped(ty: VariantType, index: i32) -> GuestVariant {
        GuestVariant::with_word(ty, index as u32 as u64)
    }

    /// The Godot type this Variant claims to be.
    pub fn variant_type(&self) -> Result<VariantType, AbiError> {
        variant_type(self.ty).ok_or(AbiError::UnknownType(self.ty))
    }

    /// Converts to a Godot Variant: inline values are decoded, indices and handles looked up.
    pub fn to_variant(&self, refs: &Refs) -> Result<Variant, AbiError> {
        let ty = self.variant_type()?;
        Ok(match ty {
            VariantType::NIL => Variant::nil(),
            // The guest writes one byte for a bool; the rest of the payload may be stale.
            VariantType::BOOL => (self.payload[0] != 0).to_variant(),
            VariantType::INT => (self.word() as i64).to_variant(),
            VariantType::FLOAT => f64::from_bits(self.word()).to_variant(),
            VariantType::VECTOR2 => Vector2::new(self.f32_at(0), self.f32_at(1)).to_variant(),
            VariantType::VECTOR2I => Vector2i::new(self.i32_at(0), self.i32_at(1)).to_variant(),
            VariantType::RECT2 => {
                Rect2::new(Vector2::new(self.f32_at(0), self.f32_at(1)), Vector2::new(self.f32_at(2), self.f32_at(3)))
                    .to_variant()
            }
            VariantType::RECT2I => Rect2i::new(
                Vector2i::new(self.i32_at(0), self.i32_at(1)),
                Vector2i::new(self.i32_at(2), self.i32_at(3)),
            )
            .to_variant(),
            VariantType::VECTOR3 => Vector3::new(self.f32_at(0), self.f32_at(1), self.f32_at(2)).to_variant(),
            VariantType::VECTOR3I => Vector3i::new(self.i32_at(0), self.i32_at(1), self.i32_at(2)).to_variant(),
            VariantType::VECTOR4 => {
                Vector4::new(self.f32_at(0), self.f32_at(1), self.f32_at(2), self.f32_at(3)).to_variant()
            }
            VariantType::VECTOR4I => {
                Vector4i::new(self.i32_at(0), self.i32_at(1), self.i32_at(2), self.i32_at(3)).to_variant()
            }
            VariantType::COLOR => {
                Color::from_rgba(self.f32_at(0), self.f32_at(1), self.f32_at(2), self.f32_at(3)).to_variant()
            }
            VariantType::PLANE => {
                Plane { normal: Vector3::new(self.f32_at(0), self.f32_at(1), self.f32_at(2)), d: self.f32_at(3) }
                    .to_variant()
            }
            VariantType::OBJECT => match self.word() {
                0 => Variant::nil(),
                handle => refs.object(handle)?.to_variant(),
            },
            _ => refs.get(self.index())?.clone(),
        })
    }

    /// Converts a Godot Variant for the guest: inline values are encoded, others stored in the
    /// current level's table (permanent during initialisation), objects given a handle.
    pub fn from_variant(value: &Variant, refs: &mut Refs) -> Result<GuestVariant, AbiError> {
        let ty = value.get_type();
        Ok(match ty {
            VariantType::NIL => GuestVariant::nil(),
            VariantType::BOOL => GuestVariant::with_word(ty, value.to::<bool>() as u64),
            VariantType::INT => GuestVariant::with_word(ty, value.to::<i64>() as u64),
            VariantType::FLOAT => GuestVariant::with_word(ty, value.to::<f64>().to_bits()),
            VariantType::VECTOR2 => {
                let v = value.to::<Vector2>();
                GuestVariant::with_f32s(ty, &[v.x, v.y])
            }
            VariantType::VECTOR2I => {
                let v = value.to::<Vector2i>();
                GuestVariant::with_i32s(ty, &[v.x, v.y])
            }
            VariantType::RECT2 => {
                let r = value.to::<Rect2>();
                GuestVariant::with_f32s(ty, &[r.position.x, r.position.y, r.size.x, r.size.y])
            }
            VariantType::RECT2I => {
                let r = value.to::<Rect2i>();
                GuestVariant::with_i32s(ty, &[r.position.x, r.position.y, r.size.x, r.size.y])
            }
            VariantType::VECTOR3 => {
                let v = value.to::<Vector3>();
                GuestVariant::with_f32s(ty, &[v.x, v.y, v.z])
            }
            VariantType::VECTOR3I => {
                let v = value.to::<Vector3i>();
                GuestVariant::with_i32s(ty, &[v.x, v.y, v.z])
            }
            VariantType::VECTOR4 => {
                let v = value.to::<Vector4>();
                GuestVariant::with_f32s(ty, &[v.x, v.y, v.z, v.w])
            }
            VariantType::VECTOR4I => {
                let v = value.to::<Vector4i>();
                GuestVariant::with_i32s(ty, &[v.x, v.y, v.z, v.w])
            }
            VariantType::COLOR => {
                let c = value.to::<Color>();
                GuestVariant::with_f32s(ty, &[c.r, c.g, c.b, c.a])
            }
            VariantType::PLANE => {
                let p = value.to::<Plane>();
                GuestVariant::with_f32s(ty, &[p.normal.x, p.normal.y, p.normal.z, p.d])
            }
            // A freed or null object reaches the guest as NIL.
            VariantType::OBJECT => match value.try_to::<Gd<Object>>() {
                Ok(object) => GuestVariant::with_word(ty, refs.object_handle(&object)?),
                Err(_) => GuestVariant::nil(),
            },
            _ => GuestVariant::scoped(ty, refs.add(value.clone())?),
        })
    }
}
