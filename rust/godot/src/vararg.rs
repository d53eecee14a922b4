//! Raw registration of *true* vararg methods, behind a safe wrapper.
//!
//! gdext 0.5 cannot declare a vararg `#[func]`, but Godot's ClassDB can hold one: a method
//! registered with `GDEXTENSION_METHOD_FLAG_VARARG` receives every argument the caller passed,
//! however many. [`register_vararg_method`] registers such a method on a gdext class through
//! the raw GDExtension interface (`godot::sys`), so GDScript can write
//! `sandbox.vmcall("f", 1, 2, 3)`.
//!
//! # Contract of a registered method
//! - It has `fixed_params.len()` declared parameters, all `Variant` (hint `NIL_IS_VARIANT`),
//!   then any number of extra arguments. Fewer than the fixed ones is reported to the caller
//!   as Godot's "too few arguments" call error (a script error in GDScript).
//! - It returns a `Variant` (return info `NIL` + `NIL_IS_VARIANT`, so editors and the GDScript
//!   analyzer treat it as "any").
//! - The handler gets the receiver as a [`Receiver<T>`] (its instance id for free, or a
//!   [`Gd<T>`]), *not* as `&mut T`, and all arguments (fixed ones first) as `&[&Variant]`.
//! - A handler `Err(e)` becomes one engine error `"Class.method: {e}"` and the call returns
//!   `null`; the call itself succeeds, so the calling script keeps running.
//! - A panic in the handler is caught; it is reported as an engine error
//!   `"Class.method: internal error (panic): ..."` and the call returns `null`. (gdext's global
//!   panic hook logs the panic as well, with its location, and a backtrace in debug builds.)
//!   No unwinding ever crosses into Godot.
//!
//! # Re-entrancy (design choice)
//! The receiver is handed over as a [`Receiver`] and no `bind()`/`bind_mut()` guard is held by
//! this module while the handler runs. A handler should bind only for short stretches that do not
//! call out to Godot or to a guest. That way a guest program (or a signal handler, or a script)
//! that calls back into the *same* object during a call — e.g. a nested `vmcall` — does not
//! meet an "already bound" panic. Handlers needing state across a call out should copy what
//! they need, drop the guard, call out, then re-bind.
//!
//! # Why some gdext items marked `#[doc(hidden)]` are used
//! The receiver pointer Godot passes (`GDExtensionClassInstancePtr`) is gdext's instance
//! storage; turning it into a `Gd<T>` needs `godot::private::as_storage` and
//! `godot::private::Storage::get_gd`, and reading its instance id `Storage::base` and
//! `Base::obj_sys`. `StringName::string_sys`, `GString::string_sys` and
//! `sys::interface_fn!` are likewise public but hidden. This is why `Cargo.toml` pins `godot`
//! exactly: a gdext upgrade must re-check this file.

use std::any::Any;
use std::ffi::c_void;
use std::fmt::Display;
use std::panic::{catch_unwind, AssertUnwindSafe};

use godot::obj::{EngineBitfield, GodotClass, Inherits};
use godot::prelude::*;
use godot::private::Storage as _;
use godot::register::info::PropertyUsageFlags;
use godot::sys;

/// The signature of a vararg method handler: receiver and all arguments in, `Variant` out.
///
/// `E` is the handler's typed error; it is shown to the user as one engine error.
pub trait VarargHandler<T: GodotClass + Inherits<<T as GodotClass>::Base>, E: Display>:
    Fn(Receiver<'_, T>, &[&Variant]) -> Result<Variant, E> + Send + Sync + 'static
{
}

impl<T, E, F> VarargHandler<T, E> for F
where
    T: GodotClass + Inherits<<T as GodotClass>::Base>,
    E: Display,
    F: Fn(Receiver<'_, T>, &[&Variant]) -> Result<Variant, E> + Send + Sync + 'static,
{
}

/// The object a vararg method was called on.
///
/// Getting its [`InstanceId`] is nearly free (no gdext bind, no lock, no type check), so a
/// handler on a hot path can find its own per-object data by id; [`Receiver::gd`] makes the
/// full `Gd<T>` (which costs a type check and, with `experimental-threads`, locks).
pub struct Receiver<'a, T: GodotClass> {
    /// gdext's `InstanceStorage<T>` of the object; valid for `'a` (the call).
    instance: sys::GDExtensionClassInstancePtr,
    _call: std::marker::PhantomData<&'a T>,
}

impl<T: GodotClass + Inherits<<T as GodotClass>::Base>> Receiver<'_, T> {
    /// The object's instance id.
    pub fn instance_id(&self) -> InstanceId {
        // SAFETY: `instance` is the live `InstanceStorage<T>` of the receiver for the whole
        // call (see `call_trampoline`, which is the only place that makes a `Receiver`).
        let storage = unsafe { godot::private::as_storage::<T>(self.instance) };
        let object = storage.base().obj_sys();
        // SAFETY: the bindings are initialised (Godot is calling a method of ours) and
        // `object` is the receiver's Godot object, alive while Godot calls a method on it.
        // `object_get_instance_id` only reads the object's id.
        let id = unsafe { sys::interface_fn!(object_get_instance_id)(object) };
        // A live object's id is never 0.
        InstanceId::from_i64(id as i64)
    }

    /// The receiver as a `Gd<T>`.
    pub fn gd(&self) -> Gd<T> {
        // SAFETY: as in `instance_id`.
        unsafe { godot::private::as_storage::<T>(self.instance) }.get_gd()
    }
}

/// Why [`register_vararg_method`] refused to register a method.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VarargRegistrationError {
    /// No fixed parameter was declared. With zero declared parameters, a statically typed
    /// GDScript call with zero arguments is compiled as a "validated call", which Godot refuses
    /// for vararg methods ("Vararg methods don't have validated call support"). One `Variant`
    /// parameter (never an "exact type") keeps GDScript on the ordinary call path.
    NoFixedParameter,
    /// The method name or a parameter name is not a valid identifier.
    InvalidName(String),
    /// Called while the Godot bindings are not initialised (e.g. from a Rust unit test), or
    /// from another thread than Godot's main thread.
    NotInEngineMainThread,
}

impl Display for VarargRegistrationError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NoFixedParameter => {
                write!(f, "a vararg method needs at least one fixed parameter")
            }
            Self::InvalidName(name) => write!(f, "'{name}' is not a valid identifier"),
            Self::NotInEngineMainThread => {
                write!(f, "methods can only be registered from Godot's main thread while the engine runs")
            }
        }
    }
}

impl std::error::Error for VarargRegistrationError {}

/// What Godot hands back to us on each call, through `method_userdata`.
struct MethodData<F> {
    /// `"Class.method"`, the prefix of every engine error this method reports.
    qualified_name: String,
    fixed_params: usize,
    handler: F,
}

/// Registers `name` as a true vararg method of the gdext class `T`.
///
/// Call it from [`godot::init::ExtensionLibrary::on_stage_init`] at the stage where `T` is registered
/// (`InitStage::Scene` for a class deriving from `Node`): gdext registers its classes of a
/// stage before calling `on_stage_init` for that stage. Register each name once per library
/// load; the handler lives as long as the process (one small leaked allocation per method,
/// as Godot may call the method until the library is unloaded).
///
/// `fixed_params` names the declared leading parameters (at least one; see
/// [`VarargRegistrationError::NoFixedParameter`]); all are `Variant`.
///
/// # Example
/// ```ignore
/// register_vararg_method::<Sandbox, _, _>("vmcall", &["function"], |this, args| {
///     Ok::<_, String>(Variant::from(args.len() as i64))
/// })?;
/// ```
pub fn register_vararg_method<T, E, F>(
    name: &str,
    fixed_params: &[&str],
    handler: F,
) -> Result<(), VarargRegistrationError>
where
    T: GodotClass + Inherits<<T as GodotClass>::Base>,
    E: Display,
    F: VarargHandler<T, E>,
{
    if !(sys::is_godot_initialized() && sys::is_main_thread()) {
        return Err(VarargRegistrationError::NotInEngineMainThread);
    }
    if fixed_params.is_empty() {
        return Err(VarargRegistrationError::NoFixedParameter);
    }
    for ident in std::iter::once(&name).chain(fixed_params) {
        if !is_identifier(ident) {
            return Err(VarargRegistrationError::InvalidName(ident.to_string()));
        }
    }

    let data: Box<MethodData<F>> = Box::new(MethodData {
        qualified_name: format!("{}.{}", T::class_id(), name),
        fixed_params: fixed_params.len(),
        handler,
    });

    // Everything the info structs point to lives on this stack frame until the registration
    // call returns; Godot copies what it keeps (names, property infos) during that call.
    let class_name = StringName::from(&T::class_id().to_string());
    let method_name = StringName::from(name);
    let empty_name = StringName::default();
    let empty_hint = GString::new();
    let usage = (PropertyUsageFlags::DEFAULT | PropertyUsageFlags::NIL_IS_VARIANT).ord() as u32;
    let variant_info = |name: &StringName| sys::GDExtensionPropertyInfo {
        type_: sys::GDEXTENSION_VARIANT_TYPE_NIL,
        name: sys::SysPtr::force_mut(name.string_sys()),
        class_name: sys::SysPtr::force_mut(empty_name.string_sys()),
        hint: 0, // PROPERTY_HINT_NONE
        hint_string: sys::SysPtr::force_mut(empty_hint.string_sys()),
        usage,
    };
    let param_names: Vec<StringName> = fixed_params.iter().map(|p| StringName::from(*p)).collect();
    let mut return_info = variant_info(&empty_name);
    let mut params_info: Vec<sys::GDExtensionPropertyInfo> = param_names.iter().map(variant_info).collect();
    let mut params_metadata: Vec<sys::GDExtensionClassMethodArgumentMetadata> =
        vec![sys::GDEXTENSION_METHOD_ARGUMENT_METADATA_NONE; params_info.len()];

    let method_info = sys::GDExtensionClassMethodInfo {
        name: sys::SysPtr::force_mut(method_name.string_sys()),
        method_userdata: Box::into_raw(data).cast::<c_void>(),
        call_func: Some(call_trampoline::<T, E, F>),
        // Godot never ptrcalls or validated-calls a vararg method (it refuses with an error).
        ptrcall_func: None,
        method_flags: (sys::GDEXTENSION_METHOD_FLAG_NORMAL | sys::GDEXTENSION_METHOD_FLAG_VARARG) as u32,
        has_return_value: 1,
        return_value_info: &mut return_info,
        return_value_metadata: sys::GDEXTENSION_METHOD_ARGUMENT_METADATA_NONE,
        argument_count: params_info.len() as u32,
        arguments_info: params_info.as_mut_ptr(),
        arguments_metadata: params_metadata.as_mut_ptr(),
        default_argument_count: 0,
        default_arguments: std::ptr::null_mut(),
    };

    // SAFETY: the bindings are initialised (checked above), so the interface table and the
    // library pointer are valid, and we are on Godot's main thread, where ClassDB may be
    // changed (checked above; Godot itself reports a missing class). Every pointer in
    // `method_info` refers to a value alive on this frame (names, property infos, metadata)
    // for the duration of the call, the counts match the vectors' lengths, and the default
    // argument pointer is null with a count of 0. `method_userdata` is a leaked
    // `Box<MethodData<F>>`, valid forever, and `call_trampoline::<T, E, F>` casts it back to
    // exactly that type.
    unsafe {
        sys::interface_fn!(classdb_register_extension_class_method)(
            sys::get_library(),
            class_name.string_sys(),
            &method_info,
        );
    }
    Ok(())
}

/// The `call_func` Godot invokes for a vararg method of `T`.
///
/// # Safety
/// Godot's contract for `GDExtensionClassMethodCall`: `method_userdata` is the pointer given at
/// registration, `p_instance` the extension instance of a live object of class `T` (or
/// derived by script), `p_args` points to `p_argument_count` valid Variant pointers (or is null
/// when the count is 0), `r_return` to an initialised Variant and `r_error` to a writable
/// call error preset to OK.
unsafe extern "C" fn call_trampoline<T, E, F>(
    method_userdata: *mut c_void,
    p_instance: sys::GDExtensionClassInstancePtr,
    p_args: *const sys::GDExtensionConstVariantPtr,
    p_argument_count: sys::GDExtensionInt,
    r_return: sys::GDExtensionVariantPtr,
    r_error: *mut sys::GDExtensionCallError,
) where
    T: GodotClass + Inherits<<T as GodotClass>::Base>,
    E: Display,
    F: VarargHandler<T, E>,
{
    // SAFETY: `method_userdata` is the `Box<MethodData<F>>` leaked by
    // `register_vararg_method::<T, E, F>` (the only place that installs this trampoline, always
    // with that userdata); it is never freed, and only shared references to it are made
    // (`F: Sync`, so concurrent calls from several threads may share it).
    let data = unsafe { &*method_userdata.cast::<MethodData<F>>() };
    // SAFETY: `r_error` is valid and writable per Godot's contract (see the function's safety).
    let error = unsafe { &mut *r_error };

    if p_instance.is_null() {
        error.error = sys::GDEXTENSION_CALL_ERROR_INSTANCE_IS_NULL;
        return;
    }
    let count = usize::try_from(p_argument_count).unwrap_or(0);
    if count < data.fixed_params {
        error.error = sys::GDEXTENSION_CALL_ERROR_TOO_FEW_ARGUMENTS;
        error.expected = data.fixed_params as i32;
        return;
    }

    // Nothing below may unwind into Godot: the handler runs inside its own `catch_unwind`
    // (so a panic becomes an engine error plus `null`), and the reporting and the write of
    // the result run inside an outer one (should those ever panic, the call fails instead).
    let outer = catch_unwind(AssertUnwindSafe(|| {
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            // For a method registered on class `T`, Godot passes the extension instance it got
            // from gdext's `create_instance` for `T`, which is a live `InstanceStorage<T>`
            // (non-null, checked above) for the whole call, since Godot holds the object alive
            // while calling a method on it; `Receiver` relies on that.
            let this = Receiver::<T> { instance: p_instance, _call: std::marker::PhantomData };
            let args: &[&Variant] = if count == 0 {
                &[]
            } else {
                // SAFETY: `p_args` points to `count` valid, non-null Variant pointers that live
                // for the call. `&Variant` has the layout of a pointer to Godot's Variant,
                // which gdext's `Variant` wraps with identical size and alignment (gdext
                // asserts this against its opaque Variant), so the pointer array is an array
                // of `&Variant`.
                unsafe { std::slice::from_raw_parts(p_args.cast::<&Variant>(), count) }
            };
            (data.handler)(this, args)
        }));
        let value = match outcome {
            Ok(Ok(value)) => value,
            Ok(Err(message)) => {
                godot_error!("{}: {}", data.qualified_name, message);
                Variant::nil()
            }
            Err(payload) => {
                godot_error!("{}: internal error (panic): {}", data.qualified_name, panic_message(&*payload));
                Variant::nil()
            }
        };
        let slot = r_return.cast::<Variant>();
        // SAFETY: `r_return` points to an initialised Variant owned by the caller (Godot's
        // `Variant ret;` in `GDExtensionMethodBind::call`). Assigning through `&mut Variant`
        // drops the old value and moves ours in, leaving one owned, initialised Variant there;
        // when the old value owns nothing (NIL, as it always is, or another trivial type),
        // dropping it would do nothing, so writing over it is the same without a call into
        // Godot.
        unsafe {
            if crate::abi::raw::is_trivial(&*slot) {
                slot.write(value);
            } else {
                *slot = value;
            }
        }
    }));
    if outer.is_err() {
        error.error = sys::GDEXTENSION_CALL_ERROR_INVALID_METHOD;
    }
}

fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic payload".to_string()
    }
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers() {
        assert!(is_identifier("vmcall"));
        assert!(is_identifier("_f1"));
        assert!(!is_identifier(""));
        assert!(!is_identifier("1f"));
        assert!(!is_identifier("a-b"));
    }

    #[test]
    fn refuses_to_register_without_a_running_engine() {
        let result = register_vararg_method::<godot::classes::Node, String, _>("f", &["x"], |_, _| Ok(Variant::nil()));
        assert_eq!(result, Err(VarargRegistrationError::NotInEngineMainThread));
    }

    #[test]
    fn panic_messages() {
        let p = catch_unwind(|| panic!("boom {}", 1)).unwrap_err();
        assert_eq!(panic_message(&*p), "boom 1");
        let p = catch_unwind(|| std::panic::panic_any(5u8)).unwrap_err();
        assert_eq!(panic_message(&*p), "unknown panic payload");
    }
}
