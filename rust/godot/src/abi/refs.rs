//! The host-side tables guest Variants refer to: scoped Variants (valid during one call level),
//! permanent Variants (negative, generation-tagged indices that outlive calls), and object
//! handles (opaque `ObjectID | 1 << 62` values, validated on every use).
//!
//! Level 0 is the permanent/initialisation level: a Variant created while `main()` runs (or
//! made permanent with VCLONE) lives there. Levels 1..=[`MAX_CALL_LEVELS`] are the nested
//! vmcalls in progress; each is emptied when its call ends.

use std::collections::HashSet;
use std::rc::Rc;

use godot::prelude::*;

use super::AbiError;
use crate::restrictions::Restrictions;

/// Nested vmcalls allowed at once (godot-sandbox: 4 states, state 0 being the permanent one).
pub const MAX_CALL_LEVELS: usize = 3;
/// The tag bit of an object handle.
pub const OBJECT_TAG: u64 = 1 << 62;
/// Permanent slots available (godot-sandbox's `PERM_MAX_SLOTS`).
const PERM_MAX_SLOTS: usize = 0xFFFE;

/// One call level's scoped Variants and the objects handed out during it.
#[derive(Default)]
struct Level {
    variants: Vec<Variant>,
    /// Objects given to the guest during this call, held so RefCounted ones stay alive.
    objects: Vec<Variant>,
    object_ids: HashSet<i64>,
}

impl Level {
    fn clear(&mut self) {
        self.variants.clear();
        self.objects.clear();
        self.object_ids.clear();
    }
}

/// Permanent Variants: slots with a generation, so a released index is refused afterwards.
#[derive(Default)]
struct Permanent {
    slots: Vec<Option<Variant>>,
    generations: Vec<u16>,
    /// Host memory each slot's value holds, as last measured.
    bytes: Vec<u64>,
    /// The sum of `bytes`.
    total_bytes: u64,
    free: Vec<usize>,
    live: usize,
}

impl Permanent {
    fn encode(slot: usize, generation: u16) -> i32 {
        -((((generation as u32) & 0x7FFF) << 16 | ((slot as u32 + 1) & 0xFFFF)) as i32)
    }

    fn decode(index: i32) -> Option<(usize, u16)> {
        if index >= 0 || index == i32::MIN {
            return None;
        }
        let v = index.unsigned_abs();
        let slot = (v & 0xFFFF).checked_sub(1)? as usize;
        Some((slot, (v >> 16) as u16))
    }

    fn add(&mut self, value: Variant, bytes: u64) -> Result<i32, AbiError> {
        let slot = match self.free.pop() {
            Some(slot) => slot,
            None if self.slots.len() < PERM_MAX_SLOTS => {
                self.slots.push(None);
                self.generations.push(0);
                self.bytes.push(0);
                self.slots.len() - 1
            }
            None => return Err(AbiError::PermanentFull),
        };
        self.slots[slot] = Some(value);
        self.set_bytes(slot, bytes);
        self.live += 1;
        Ok(Self::encode(slot, self.generations[slot]))
    }

    fn set_bytes(&mut self, slot: usize, bytes: u64) {
        self.total_bytes = self.total_bytes.saturating_sub(self.bytes[slot]).saturating_add(bytes);
        self.bytes[slot] = bytes;
    }

    fn slot(&self, index: i32) -> Option<usize> {
        let (slot, generation) = Self::decode(index)?;
        (self.slots.get(slot)?.is_some() && self.generations[slot] & 0x7FFF == generation).then_some(slot)
    }

    fn release(&mut self, index: i32) -> bool {
        let Some(slot) = self.slot(index) else { return false };
        self.slots[slot] = None;
        self.set_bytes(slot, 0);
        self.generations[slot] = (self.generations[slot] + 1) & 0x7FFF;
        self.free.push(slot);
        self.live -= 1;
        true
    }
}

/// All references a guest holds into the host.
pub struct Refs {
    levels: Vec<Level>,
    permanent: Permanent,
    /// The current level: 0 while initialising, 1.. during vmcalls.
    level: usize,
    /// Objects ever handed to the guest since the program was loaded (pruned of dead ones
    /// when it grows). A handle is honoured only for these, and only while alive.
    known_objects: HashSet<i64>,
    known_objects_prune_at: usize,
    /// The most scoped Variants (and scoped objects) per call level.
    pub max_refs: usize,
    /// What the guest may reach; with object restrictions, a handle is honoured only for an
    /// object given during the current call or allowed explicitly.
    pub restrictions: Rc<Restrictions>,
    /// The host memory a value holds (its characters or elements), for the permanent ones'
    /// total (see [`Refs::permanent_bytes`]).
    host_bytes: fn(&Variant) -> u64,
    /// Permanent indices made during the running call: measured again when it ends, as the
    /// call may still change them through a scoped index that shares their storage.
    made_in_call: HashSet<i32>,
}

impl Refs {
    pub fn new(max_refs: usize, restrictions: Rc<Restrictions>, host_bytes: fn(&Variant) -> u64) -> Refs {
        Refs {
            restrictions,
            host_bytes,
            made_in_call: HashSet::new(),
            levels: (0..=MAX_CALL_LEVELS).map(|_| Level::default()).collect(),
            permanent: Permanent::default(),
            level: 0,
            known_objects: HashSet::new(),
            known_objects_prune_at: 1024,
            max_refs: max_refs.max(1),
        }
    }

    /// The current call level (0 = initialisation).
    pub fn level(&self) -> usize {
        self.level
    }

    /// Starts a vmcall one level up; its scoped tables start empty.
    pub fn enter(&mut self) -> Result<(), AbiError> {
        if self.level >= MAX_CALL_LEVELS {
            return Err(AbiError::TooManyLevels(MAX_CALL_LEVELS));
        }
        self.level += 1;
        self.levels[self.level].clear();
        Ok(())
    }

    /// Ends the current vmcall: its scoped Variants and object holds are dropped.
    pub fn leave(&mut self) {
        if self.level > 0 {
            self.levels[self.level].clear();
            self.level -= 1;
        }
    }

    /// Scoped Variants alive in running calls (0 between calls).
    pub fn live_scoped(&self) -> usize {
        self.levels[1..].iter().map(|l| l.variants.len() + l.objects.len()).sum()
    }

    /// Permanent Variants alive.
    pub fn live_permanent(&self) -> usize {
        self.permanent.live
    }

    /// Stores `value` for the guest and returns its index: scoped during a call, permanent
    /// during initialisation.
    pub fn add(&mut self, value: Variant) -> Result<i32, AbiError> {
        if self.level == 0 {
            return self.add_permanent(value);
        }
        let max = self.max_refs;
        let level = &mut self.levels[self.level];
        if level.variants.len() >= max {
            return Err(AbiError::TooManyRefs(max));
        }
        level.variants.push(value);
        Ok((level.variants.len() - 1) as i32)
    }

    /// Stores `value` permanently.
    pub fn add_permanent(&mut self, value: Variant) -> Result<i32, AbiError> {
        let bytes = (self.host_bytes)(&value);
        let index = self.permanent.add(value, bytes)?;
        if self.level > 0 {
            self.made_in_call.insert(index);
        }
        Ok(index)
    }

    /// Measures again the permanent Variants the call that just ended made.
    pub fn measure_made_in_call(&mut self) {
        for index in std::mem::take(&mut self.made_in_call) {
            self.touched(index);
        }
    }

    /// Host memory the permanent Variants hold (what the guest keeps between calls), as last
    /// measured: when stored, replaced, or [`touched`](Refs::touched).
    pub fn permanent_bytes(&self) -> u64 {
        self.permanent.total_bytes
    }

    /// Measures the Variant at `index` again after it changed in place (a container shares its
    /// storage with every copy of its Variant, so it can grow without being stored again).
    pub fn touched(&mut self, index: i32) {
        if let Some(slot) = self.permanent.slot(index) {
            let bytes = self.permanent.slots[slot].as_ref().map_or(0, self.host_bytes);
            self.permanent.set_bytes(slot, bytes);
        }
    }

    /// Releases a permanent index (a no-op for scoped ones).
    pub fn release_permanent(&mut self, index: i32) -> bool {
        self.made_in_call.remove(&index);
        self.permanent.release(index)
    }

    pub fn get(&self, index: i32) -> Result<&Variant, AbiError> {
        if index < 0 {
            let slot = self.permanent.slot(index).ok_or(AbiError::StalePermanent(index))?;
            return self.permanent.slots[slot].as_ref().ok_or(AbiError::StalePermanent(index));
        }
        self.levels[self.level].variants.get(index as usize).ok_or(AbiError::UnknownIndex(index))
    }

    pub fn get_mut(&mut self, index: i32) -> Result<&mut Variant, AbiError> {
        if index < 0 {
            let slot = self.permanent.slot(index).ok_or(AbiError::StalePermanent(index))?;
            return self.permanent.slots[slot].as_mut().ok_or(AbiError::StalePermanent(index));
        }
        let level = self.level;
        self.levels[level].variants.get_mut(index as usize).ok_or(AbiError::UnknownIndex(index))
    }

    /// Replaces the Variant at `index` (permanent or scoped).
    pub fn set(&mut self, index: i32, value: Variant) -> Result<(), AbiError> {
        *self.get_mut(index)? = value;
        self.touched(index);
        Ok(())
    }

    /// Issues a handle for `object` and records that the guest was given it (held until the
    /// call ends, so RefCounted objects stay alive).
    pub fn object_handle(&mut self, object: &Gd<Object>) -> Result<u64, AbiError> {
        let id = object.instance_id().to_i64();
        let max = self.max_refs;
        let level = &mut self.levels[self.level];
        if level.object_ids.insert(id) {
            if self.level > 0 && level.objects.len() >= max {
                level.object_ids.remove(&id);
                return Err(AbiError::TooManyObjects(max));
            }
            if self.level > 0 {
                level.objects.push(object.to_variant());
            }
        }
        if self.known_objects.insert(id) && self.known_objects.len() >= self.known_objects_prune_at {
            self.known_objects.retain(|&id| {
                InstanceId::try_from_i64(id).is_some_and(|i| Gd::<Object>::try_from_instance_id(i).is_ok())
            });
            self.known_objects_prune_at = (self.known_objects.len() * 2).max(1024);
        }
        Ok(id as u64 | OBJECT_TAG)
    }

    /// The live object behind `handle`, if the guest was given it.
    pub fn object(&self, handle: u64) -> Result<Gd<Object>, AbiError> {
        if handle == 0 {
            return Err(AbiError::NullObject);
        }
        if handle & OBJECT_TAG == 0 {
            return Err(AbiError::NotAnObjectHandle(handle));
        }
        let id = (handle & !OBJECT_TAG) as i64;
        if !self.known_objects.contains(&id) {
            return Err(AbiError::ObjectNotScoped(handle));
        }
        let object = InstanceId::try_from_i64(id)
            .and_then(|i| Gd::<Object>::try_from_instance_id(i).ok())
            .ok_or(AbiError::ObjectGone(handle))?;
        if self.restrictions.object_access_unrestricted()
            || self.levels[self.level].object_ids.contains(&id)
            || self.restrictions.explicitly_allows_object(&object)
        {
            return Ok(object);
        }
        Err(AbiError::ObjectNotAllowed(handle))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permanent_index_encoding() {
        assert_eq!(Permanent::encode(0, 0), -1);
        assert_eq!(Permanent::decode(-1), Some((0, 0)));
        let i = Permanent::encode(5, 3);
        assert_eq!(Permanent::decode(i), Some((5, 3)));
        assert_eq!(Permanent::decode(i32::MIN), None);
        assert_eq!(Permanent::decode(0), None);
    }
}
