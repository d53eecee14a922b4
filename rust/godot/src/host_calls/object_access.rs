//! What a guest may do with an object's methods, beyond the method rule on the method it
//! names: methods that reach other methods, properties, classes or objects by name (`call`,
//! `set`, `ClassDB.instantiate`...), Callables and Signals of an object's methods, and freeing
//! the Sandbox out from under its own program.
//!
//! Every object call of a guest goes through [`check_object_call`] (VCALL on an object,
//! OBJ_CALLP, deferred or not); Callables it calls or hands to the game through
//! [`check_callable`]; a Signal's methods through [`check_signal_method`].

use std::cell::RefCell;
use std::collections::HashMap;

use godot::classes::{DirAccess, Engine};
use godot::prelude::*;

use rvsandbox_vm::HostError;

use super::callable::ConnectedMethod;
use super::resource::resource_path;
use super::{check_handed_over, integer_of, refused, HostResult, MAX_ELEMENTS};
use crate::restrictions::Restrictions;
use crate::runtime::Vm;

/// Object methods that reach many objects, or methods and properties by name, in ways the
/// rules cannot follow (every node of a group, every descendant, the peers of a multiplayer
/// game, a property animated later, any class's static methods): only for a fully
/// unrestricted Sandbox.
const UNFOLLOWABLE: &[&str] = &[
    "propagate_call",
    "call_group",
    "call_group_flags",
    "set_group",
    "set_group_flags",
    "notify_group",
    "notify_group_flags",
    "rpc",
    "rpc_id",
    "call_thread_safe",
    "set_thread_safe",
    "notify_thread_safe",
    "call_deferred_thread_group",
    "set_deferred_thread_group",
    "notify_deferred_thread_group",
    "tween_property",
    "tween_method",
    "class_call_static",
    "notification",
    "propagate_notification",
    "rpc_config",
];

/// Why `method` of `obj` is only for a fully unrestricted Sandbox, whatever the game's rules
/// say, if it is: it runs code the guest writes, builds objects out of its data, or changes
/// what the game's own names and loads mean. A rule written as a deny-list would not think of
/// these.
fn unrestricted_only(obj: &Gd<Object>, class: &str, method: &str, args: &[Variant]) -> Option<&'static str> {
    if let Some(what) = class_wide_refusal(obj, class) {
        return Some(what);
    }
    let flag = |at: usize| args.get(at).is_some_and(Variant::booleanize);
    Some(match method {
        "set_source_code" | "reload" | "new" if obj.is_class("Script") => "changing or instantiating a Script",
        // Any script the guest can load would run as the object's.
        "set_script" => "giving an object a script",
        "execute"
        | "execute_with_pipe"
        | "create_process"
        | "create_instance"
        | "shell_open"
        | "shell_show_in_file_manager"
        | "move_to_trash"
        | "set_environment"
        | "unset_environment"
        | "get_environment"
        | "set_restart_on_exit"
        | "open_with_program"
        | "alert"
        | "add_logger"
        | "remove_logger"
        | "request_permission"
        | "request_permissions"
        | "revoke_granted_permissions"
        | "set_use_file_access_save_and_swap"
        | "open_midi_inputs"
            if class == "OS" =>
        {
            "processes and the system"
        }
        "save" | "save_custom" | "load_resource_pack" if class == "ProjectSettings" => "the project's files",

        // The game's methods would run off the main thread, where nothing of the game expects them.
        "start" if obj.is_class("Thread") => "running on another thread",
        "add_task" | "add_group_task" if class == "WorkerThreadPool" => "running on worker threads",
        // Tracks and expressions call methods and set properties by path, later.
        "add_track" | "track_set_path" | "track_insert_key" | "track_set_key_value" if obj.is_class("Animation") => {
            "animation tracks"
        }
        "set_root_node" if obj.is_class("AnimationMixer") => "animation tracks",
        "set_advance_expression" | "set_advance_expression_base_node" => "animation expressions",
        "to_native" | "from_native" if class == "JSON" && flag(1) => "JSON with objects",
        "base64_to_variant" | "variant_to_base64" if class == "Marshalls" && flag(1) => "Marshalls with objects",
        "take_over_path" | "set_path" | "set_path_cache" if obj.is_class("Resource") => "changing a resource's path",
        "register_singleton" | "unregister_singleton" if class == "Engine" => "changing the engine's singletons",
        "set_print_error_messages" if class == "Engine" => "hiding the engine's errors",
        // A ConfigFile's text builds any object it names (a GDScript with its source, for one).
        "parse" | "load" | "load_encrypted" | "load_encrypted_pass" if class == "ConfigFile" => {
            "reading a ConfigFile (its values may build objects)"
        }
        "add_id" | "set_id" | "remove_id" if class == "ResourceUID" => "changing what uid:// paths load",

        "add_spawnable_scene" if obj.is_class("MultiplayerSpawner") => "spawning scenes for the network",

        "save" if class == "ResourceSaver" && args.get(2).and_then(integer_of).is_some_and(|flags| flags & 4 != 0) => {
            "saving a resource under a new path (FLAG_CHANGE_PATH)"
        }
        _ => return None,
    })
}

/// Why every method of `obj`'s class (`class`) is only for a fully unrestricted Sandbox, if it
/// is. Asked on every object call, so the answer is remembered per class (an object's class
/// never changes).
fn class_wide_refusal(obj: &Gd<Object>, class: &str) -> Option<&'static str> {
    thread_local! {
        static BY_CLASS: RefCell<HashMap<String, Option<&'static str>>> = RefCell::new(HashMap::new());
    }
    if let Some(known) = BY_CLASS.with(|by_class| by_class.borrow().get(class).copied()) {
        return known;
    }
    let why = if obj.is_class("FileAccess") || obj.is_class("DirAccess") {
        Some("the file system")
    } else if class == "GDExtensionManager" {
        Some("loading native libraries")
    } else if obj.is_class("Expression") {
        Some("an Expression (it calls anything by name)")
    } else if obj.is_class("UndoRedo") {
        Some("UndoRedo (it sets properties and calls methods by name)")
    } else if NETWORK_CLASSES.iter().any(|network| obj.is_class(*network)) {
        // The network, and sockets on the player's machine.
        Some("the network")
    } else if class == "JavaScriptBridge" {
        Some("running JavaScript")
    } else {
        None
    };
    BY_CLASS.with(|by_class| by_class.borrow_mut().insert(class.to_string(), why));
    why
}

/// Classes that reach the network or the player's local sockets.
const NETWORK_CLASSES: &[&str] = &[
    "HTTPRequest",
    "HTTPClient",
    "StreamPeerTCP",
    "TCPServer",
    "PacketPeerUDP",
    "UDPServer",
    "WebSocketPeer",
    "WebRTCPeerConnection",
    "ENetConnection",
    "ENetMultiplayerPeer",
    "UPNP",
    "UPNPDevice",
    "StreamPeerUDS",
    "UDSServer",
    "StreamPeerTLS",
    "PacketPeerDTLS",
    "IP",
];

/// Whether a Callable of `method` of `obj`, called later with arguments no one knows yet, could
/// do what [`check_object_call`] only allows a fully unrestricted Sandbox or checks by its
/// arguments: reach members by name, touch files, or anything of [`unrestricted_only`] (asked
/// with every flag argument set).
fn dangerous_by_name(obj: &Gd<Object>, method: &str) -> bool {
    const REFLECTIVE: &[&str] = &[
        "call",
        "callv",
        "call_deferred",
        "set",
        "set_deferred",
        "set_indexed",
        "get",
        "get_indexed",
        "set_meta",
        "emit_signal",
        "connect",
        // Checked by their arguments in `check_object_call`.
        "instantiate",
        "class_get_property",
        "class_set_property",
        "get_singleton",
    ];
    let flags = [true.to_variant(), true.to_variant(), 7.to_variant()];
    REFLECTIVE.contains(&method)
        || UNFOLLOWABLE.contains(&method)
        || unrestricted_only(obj, &obj.get_class().to_string(), method, &flags).is_some()
        || file_method(obj, method).is_some()
}

/// Why `method` of `obj` is refused to every Sandbox, unrestricted ones too, if it is: it would
/// crash the game, block its main thread beyond the guest's instruction budget, or exhaust
/// its memory, and no game means to grant that.
fn refused_to_every_sandbox(
    obj: &Gd<Object>,
    class: &str,
    method: &str,
    args: &[Variant],
    sandbox: InstanceId,
) -> Option<&'static str> {
    let size = |at: usize| args.get(at).and_then(integer_of).unwrap_or(0).max(0) as u64;
    Some(match method {
        "crash" | "kill" if class == "OS" => "it would end the game",
        "delay_msec" | "delay_usec" | "read_string_from_stdin" | "read_buffer_from_stdin" if class == "OS" => {
            "it would block the game's main thread"
        }
        "wait" if obj.is_class("Semaphore") => "it would block the game's main thread",
        "lock" | "try_lock" if obj.is_class("Mutex") => "a guest holding the game's Mutex could deadlock it",
        "wait_to_finish" if obj.is_class("Thread") => "it would block the game's main thread",
        "wait_for_task_completion" | "wait_for_group_task_completion" if class == "WorkerThreadPool" => {
            "it would block the game's main thread"
        }
        // An object that is not a Node belongs to the engine (a physics space state: freed, the
        // game's next raycast crashes) or is reference-counted (and cannot be freed).
        "free" if !obj.is_class("Node") => "an object that is not a Node is not the guest's to free",
        // Calling its own Sandbox back, deferred, re-deferring itself, would keep the end of
        // the frame from ever coming; the guest calls its own functions directly.
        "vmcall" | "vmcallv" | "vmcallable" | "vmcallable_address" if obj.instance_id() == sandbox => {
            "a guest does not call its own Sandbox's methods"
        }
        // Images of more than 16 Mi pixels (a 16384 x 16384 float image is 4 GiB).
        "create" | "create_empty" | "create_from_data" | "resize" | "crop"
            if obj.is_class("Image") && size(0).saturating_mul(size(1)) > MAX_ELEMENTS =>
        {
            "an Image of more than 16 Mi pixels"
        }
        _ => return None,
    })
}

/// [`unrestricted_only`] for writing `property` of `obj`.
fn unrestricted_only_property(obj: &Gd<Object>, property: &str) -> Option<&'static str> {
    match property {
        // `source_code`, `script/source`...: setting them recompiles the script.
        _ if obj.is_class("Script") => Some("changing a Script"),
        "download_file" if obj.is_class("HTTPRequest") => Some("the network"),
        "resource_path" if obj.is_class("Resource") => Some("changing a resource's path"),
        "script" => Some("giving an object a script"),
        "root_node" if obj.is_class("AnimationMixer") => Some("animation tracks"),
        "advance_expression" | "advance_expression_base_node" => Some("animation expressions"),
        _ if property.starts_with("tracks/") && obj.is_class("Animation") => Some("animation tracks"),
        _ => None,
    }
}

/// An object method that reads or writes a file by path.
struct FileMethod {
    class: &'static str,
    method: &'static str,
    /// Which argument is the path.
    path_at: usize,
    writes: bool,
}

/// The [`FileMethod`] `method` of `obj` is, if it is one.
fn file_method(obj: &Gd<Object>, method: &str) -> Option<&'static FileMethod> {
    FILE_METHODS.iter().find(|file| file.method == method && obj.is_class(file.class))
}

/// Object methods that read or write a file by path.
const FILE_METHODS: &[FileMethod] = &[
    FileMethod { class: "ConfigFile", method: "save", path_at: 0, writes: true },
    FileMethod { class: "ConfigFile", method: "save_encrypted", path_at: 0, writes: true },
    FileMethod { class: "ConfigFile", method: "save_encrypted_pass", path_at: 0, writes: true },
    FileMethod { class: "ZIPReader", method: "open", path_at: 0, writes: false },
    FileMethod { class: "ZIPPacker", method: "open", path_at: 0, writes: true },
    FileMethod { class: "Image", method: "load", path_at: 0, writes: false },
    FileMethod { class: "Image", method: "load_from_file", path_at: 0, writes: false },
    FileMethod { class: "Image", method: "save_png", path_at: 0, writes: true },
    FileMethod { class: "Image", method: "save_jpg", path_at: 0, writes: true },
    FileMethod { class: "Image", method: "save_webp", path_at: 0, writes: true },
    FileMethod { class: "Image", method: "save_exr", path_at: 0, writes: true },
    FileMethod { class: "Image", method: "save_dds", path_at: 0, writes: true },
    FileMethod { class: "GLTFDocument", method: "write_to_filesystem", path_at: 1, writes: true },
    FileMethod { class: "GLTFDocument", method: "append_from_file", path_at: 0, writes: false },
    FileMethod { class: "AudioStreamWAV", method: "save_to_wav", path_at: 0, writes: true },
    FileMethod { class: "AudioStreamWAV", method: "load_from_file", path_at: 0, writes: false },
    FileMethod { class: "AudioStreamMP3", method: "load_from_file", path_at: 0, writes: false },
    FileMethod { class: "AudioStreamOggVorbis", method: "load_from_file", path_at: 0, writes: false },
    FileMethod { class: "PCKPacker", method: "pck_start", path_at: 0, writes: true },
    FileMethod { class: "PCKPacker", method: "add_file", path_at: 1, writes: false },
    FileMethod { class: "TextServer", method: "save_support_data", path_at: 0, writes: true },
    FileMethod { class: "TextServer", method: "load_support_data", path_at: 0, writes: false },
    FileMethod { class: "XMLParser", method: "open", path_at: 0, writes: false },
    FileMethod { class: "FontFile", method: "load_dynamic_font", path_at: 0, writes: false },
    FileMethod { class: "FontFile", method: "load_bitmap_font", path_at: 0, writes: false },
    FileMethod { class: "CompressedTexture2D", method: "load", path_at: 0, writes: false },
    FileMethod { class: "CompressedTexture3D", method: "load", path_at: 0, writes: false },
    FileMethod { class: "CompressedTextureLayered", method: "load", path_at: 0, writes: false },
    FileMethod { class: "SceneTree", method: "change_scene_to_file", path_at: 0, writes: false },
    FileMethod { class: "VideoStream", method: "set_file", path_at: 0, writes: false },
    FileMethod { class: "ResourceLoader", method: "exists", path_at: 0, writes: false },
    FileMethod { class: "ResourceLoader", method: "get_dependencies", path_at: 0, writes: false },
    FileMethod { class: "ResourceLoader", method: "list_directory", path_at: 0, writes: false },
    FileMethod { class: "ResourceLoader", method: "load", path_at: 0, writes: false },
    FileMethod { class: "ResourceLoader", method: "load_threaded_request", path_at: 0, writes: false },
    FileMethod { class: "X509Certificate", method: "load", path_at: 0, writes: false },
    FileMethod { class: "X509Certificate", method: "save", path_at: 0, writes: true },
    FileMethod { class: "CryptoKey", method: "load", path_at: 0, writes: false },
    FileMethod { class: "CryptoKey", method: "save", path_at: 0, writes: true },
    FileMethod { class: "ResourceSaver", method: "save", path_at: 1, writes: true },
];

/// Where a guest may write files: a folder of its own, so that it cannot overwrite the game's
/// saves and settings, which the game reads back.
const GUEST_FILES: &str = "user://sandbox/";

/// Refuses a method of [`FILE_METHODS`] unless its path is one LOAD would load (inside
/// `res://` or `user://`, given as Godot resolves it), the resource rule allows it, and, to
/// write, it is inside [`GUEST_FILES`]: the game's own files and the player's machine are not
/// the guest's to read or write.
/// Gives whether the method writes a file there.
fn check_file_access(
    rules: &Restrictions,
    obj: &Gd<Object>,
    method: &str,
    args: &[Variant],
) -> Result<bool, HostError> {
    let Some(file) = file_method(obj, method) else {
        return Ok(false);
    };
    let given = name_text(args.get(file.path_at));
    let path = resource_path(&given, method)?;
    if path != given {
        return Err(refused(format!("{method}: give the path as Godot resolves it ('{path}')")));
    }
    rules.check_resource(&path)?;
    if file.writes && !path.starts_with(GUEST_FILES) {
        return Err(refused(format!("{method}: a guest writes only inside {GUEST_FILES} ('{path}')")));
    }
    Ok(file.writes)
}

/// Refuses freeing an engine singleton or the main loop: the game's next use of it crashes.
fn check_not_engine_owned(obj: &Gd<Object>) -> HostResult {
    let engine = Engine::singleton();
    if engine.get_main_loop().is_some_and(|main_loop| main_loop.upcast::<Object>() == *obj) {
        return Err(refused("freeing the main loop"));
    }
    let names = engine.get_singleton_list();
    let singleton = names
        .as_slice()
        .iter()
        .find(|name| engine.get_singleton(&StringName::from(*name)).is_some_and(|singleton| singleton == *obj));
    match singleton {
        Some(name) => Err(refused(format!("freeing the engine singleton {name}"))),
        None => Ok(()),
    }
}

/// Refuses the guest the properties of its own Sandbox node: while `main()` or a property
/// accessor runs, the node is bound, and Godot asking it for its property list (or a property
/// of the guest's) would fail inside gdext, logging hundreds of lines.
pub fn check_not_own_properties(m: &Vm, obj: &Gd<Object>) -> HostResult {
    if obj.instance_id() == m.data.node {
        return Err(refused("the Sandbox's own properties are not its guest's to list, read or write"));
    }
    Ok(())
}

/// Refuses writing `property` of `obj` unless the property rule allows it, and, for what
/// [`unrestricted_only_property`] names, unless the Sandbox is fully unrestricted.
pub fn check_property_write(rules: &Restrictions, obj: &Gd<Object>, property: &str) -> HostResult {
    rules.check_property(obj, property, true)?;
    if let Some(what) = unrestricted_only_property(obj, property) {
        rules.check_unrestricted(what)?;
    }
    Ok(())
}

/// Notifications that create or destroy objects under the game (`NOTIFICATION_PREDELETE`
/// frees a node's children, whatever runs in them): refused even to a fully unrestricted
/// Sandbox, since one sent to the Sandbox's parent brings the game down.
const LIFECYCLE_NOTIFICATIONS: std::ops::RangeInclusive<i64> = 0..=3;

/// Refuses the guest's call of `method` on `obj` with `args` unless the rules allow it: the
/// method itself, what it reaches by name (`call("secret")` is asked as `secret`, also when
/// nested: `call("call", "secret")`; `set("health", 0)` as the property `health`;
/// `ClassDB.instantiate("HTTPRequest")` as the class; `Engine.get_singleton(name)` as GET_OBJ
/// asks), and the Callables among its arguments, which the game may call later.
pub fn check_object_call(m: &mut Vm, obj: &Gd<Object>, method: &str, args: &[Variant]) -> HostResult {
    let (rules, sandbox) = (m.data.restrictions.clone(), m.data.node);
    let class = obj.get_class().to_string();
    let unrestricted = rules.fully_unrestricted();
    // What `call`/`callv` unwrap to; the arguments are copied only then.
    let mut unwrapped: Option<(String, Vec<Variant>)> = None;
    let mut writes_guest_file = false;
    loop {
        let (method, args) = match &unwrapped {
            Some((method, args)) => (method.as_str(), args.as_slice()),
            None => (method, args),
        };
        rules.check_method(obj, method)?;
        check_not_freeing_sandbox(sandbox, obj, method)?;
        if let Some(why) = refused_to_every_sandbox(obj, &class, method, args, sandbox) {
            return Err(refused(format!("{method}: {why}")));
        }
        if !unrestricted {
            if let Some(what) = unrestricted_only(obj, &class, method, args) {
                rules.check_unrestricted(what)?;
            }
        }
        writes_guest_file |= check_file_access(&rules, obj, method, args)?;
        if matches!(
            method,
            "get"
                | "set"
                | "get_indexed"
                | "set_indexed"
                | "set_deferred"
                | "get_property_list"
                | "property_get_revert"
        ) {
            check_not_own_properties(m, obj)?;
        }
        if matches!(method, "notification" | "propagate_notification")
            && args.first().and_then(integer_of).is_some_and(|what| LIFECYCLE_NOTIFICATIONS.contains(&what))
        {
            return Err(refused("a lifecycle notification (it creates or frees objects under the game)"));
        }
        if UNFOLLOWABLE.contains(&method) {
            rules
                .check_unrestricted("reaching many objects or members by name (propagate_call, call_group, rpc...)")?;
            if method == "propagate_call" {
                check_not_freeing_sandbox(sandbox, obj, &name_text(args.first()))?;
            }
        }
        if unwrapped.is_some() && matches!(method, "connect" | "disconnect") {
            // The connection would not go through the guard of `guard_connection`.
            return Err(refused(format!("{method} through call or callv")));
        }
        match method {
            // The method it calls, with the rest of the arguments.
            "call" | "call_deferred" if !args.is_empty() => {
                unwrapped = Some((method_name(method, &args[0])?, args[1..].to_vec()));
                continue;
            }
            "callv" => {
                let inner = match args.get(1) {
                    Some(list) => elements(list)?,
                    None => vec![],
                };
                let name = args.first().map_or(Ok(String::new()), |name| method_name(method, name))?;
                unwrapped = Some((name, inner));
                continue;
            }
            "set" | "set_deferred" | "set_indexed" => {
                check_property_write(&rules, obj, &property_reached(args.first()))?
            }
            "get" | "get_indexed" => rules.check_property(obj, &property_reached(args.first()), false)?,
            "set_script" => check_property_write(&rules, obj, "script")?,
            "instantiate" if class == "ClassDB" => rules.check_class(&name_text(args.first()))?,
            "class_set_property" | "class_get_property" if class == "ClassDB" => {
                let target: Gd<Object> =
                    args.first().and_then(|target| target.try_to().ok()).ok_or_else(|| refused("not an object"))?;
                rules.check_object(&target)?;
                rules.check_property(&target, &name_text(args.get(1)), method == "class_set_property")?;
            }
            "get_singleton" if class == "Engine" => rules.check_class(&name_text(args.first()))?,
            _ => {}
        }
        check_handed_over(m, args)?;
        if writes_guest_file {
            // Made now, when the write is about to happen, so that it succeeds.
            DirAccess::make_dir_recursive_absolute(GUEST_FILES);
        }
        return Ok(());
    }
}

/// The arguments of a guest's `connect`, `disconnect` or `is_connected` (the Callable at
/// `callable_at`, the flags at `flags_at`) as they go to Godot: a Callable of an object's method
/// is called through a nesting guard ([`ConnectedMethod`]), and a deferred connection of one is
/// refused (re-emitting its own signal, it would fill the message queue until the game runs
/// out of memory).
pub fn guard_connection(args: &[Variant], callable_at: usize, flags_at: usize) -> Result<Vec<Variant>, HostError> {
    let mut args = args.to_vec();
    let Some(callable) = args.get(callable_at).filter(|c| c.get_type() == VariantType::CALLABLE) else {
        return Ok(args);
    };
    let callable = callable.to::<Callable>();
    if callable.is_custom() && callable.object_id().is_some() {
        // A bound Callable of an object's method (from the game's data) cannot be guarded.
        return Err(refused("connecting a bound Callable of an object's method"));
    }
    let object_method = callable.object_id().is_some();
    const CONNECT_DEFERRED: i64 = 1;
    if object_method && args.get(flags_at).and_then(integer_of).is_some_and(|flags| flags & CONNECT_DEFERRED != 0) {
        return Err(refused(
            "a deferred connection of an object's method (it could re-emit its own signal without end)",
        ));
    }
    args[callable_at] = ConnectedMethod::guard(callable).to_variant();
    Ok(args)
}

/// The elements of `callv`'s argument list, as Godot reads it: an Array, or a packed array
/// converted to one.
fn elements(list: &Variant) -> Result<Vec<Variant>, HostError> {
    let ty = list.get_type();
    if ty == VariantType::ARRAY {
        return Ok(list.to::<AnyArray>().iter_shared().collect());
    }
    if ty.ord() >= VariantType::PACKED_BYTE_ARRAY.ord() {
        let array = super::expression::call("Array", std::slice::from_ref(list))?;
        return Ok(array.to::<AnyArray>().iter_shared().collect());
    }
    Err(refused(format!("callv: the arguments are a {ty:?}, not an Array")))
}

/// The method `call`, `callv` or `call_deferred` is given by name: a String or StringName.
fn method_name(caller: &str, name: &Variant) -> Result<String, HostError> {
    match name.get_type() {
        VariantType::STRING | VariantType::STRING_NAME => Ok(name.to_string()),
        other => Err(refused(format!("{caller}: the method name is a {other:?}"))),
    }
}

/// The text of a name argument (a String or StringName; anything else as it prints).
fn name_text(name: Option<&Variant>) -> String {
    name.map(|name| name.to_string()).unwrap_or_default()
}

/// The property a `set`/`get`/`set_indexed` name reaches: `position` for `position:x`, and
/// `health` for `:health`, as Godot reads the name as a property path.
fn property_reached(name: Option<&Variant>) -> String {
    let path = NodePath::from(&name_text(name)).get_as_property_path();
    match path.get_subname_count() {
        0 => String::new(),
        _ => path.get_subname(0).to_string(),
    }
}

/// Refuses freeing the Sandbox or a node above it while its program runs: the guest's own
/// machine would be destroyed under it (and while `main()` or a property accessor runs, with
/// the node bound, Godot would bring the game down).
fn check_not_freeing_sandbox(sandbox: InstanceId, obj: &Gd<Object>, method: &str) -> HostResult {
    let freed = match method {
        "free" => {
            check_not_engine_owned(obj)?;
            obj.clone().try_cast::<Node>().ok()
        }
        // The current scene, which `unload_current_scene` frees at once.
        "unload_current_scene" => obj.clone().try_cast::<SceneTree>().ok().and_then(|tree| tree.get_current_scene()),
        _ => return Ok(()),
    };
    let (Some(node), Ok(sandbox)) = (freed, Gd::<Node>::try_from_instance_id(sandbox)) else { return Ok(()) };
    if node == sandbox || node.is_ancestor_of(&sandbox) {
        return Err(refused("freeing the Sandbox or a node above it while its program runs (queue_free it instead)"));
    }
    Ok(())
}

/// Refuses `value` if it is a Callable the rules do not allow calling (see
/// [`check_allowed_callable`]); other values pass.
pub fn check_callable(m: &Vm, value: &Variant) -> HostResult {
    if value.get_type() != VariantType::CALLABLE {
        return Ok(());
    }
    check_allowed_callable(&m.data.restrictions, m.data.node, &value.to())
}

/// Refuses a Callable of an object's method that the rules do not allow: calling it calls that
/// method, and so does the game, later, if the guest hands it over (an argument, a property,
/// inside a container: see `printing::check_handed_over`). Its object must be allowed too. A
/// custom Callable (a guest function's, or a lambda or bound Callable the game handed over) is
/// not asked about: only the game makes those from its objects' methods, and asking one its
/// method makes Godot log an error.
pub fn check_allowed_callable(rules: &Restrictions, sandbox: InstanceId, callable: &Callable) -> HostResult {
    // A custom Callable without an object (a guest function's, a lambda) has no method of an
    // object to ask about, and asking it for one makes Godot log an error. One with an object
    // (`bind` of an object's method, from the game's data) reports that method.
    if callable.is_custom() && callable.object().is_none() {
        return Ok(());
    }
    match (callable.object(), callable.method_name()) {
        (Some(object), Some(method)) => {
            let method = method.to_string();
            rules.check_object(&object)?;
            rules.check_method(&object, &method)?;
            check_not_freeing_sandbox(sandbox, &object, &method)?;
            let class = object.get_class().to_string();
            if let Some(why) = refused_to_every_sandbox(&object, &class, &method, &[], sandbox) {
                return Err(refused(format!("a Callable of {method}: {why}")));
            }
            // What it will be called with is not known: a method checked by its arguments, or
            // only for an unrestricted Sandbox, is refused as such a Callable.
            if dangerous_by_name(&object, &method) || method == "free" {
                rules.check_unrestricted("a Callable of a method that reaches members, files or the system")?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Refuses a Signal's builtin `method` if the rules do not allow the method of the Signal's
/// object it stands for (`emit` is its `emit_signal`, which runs whatever the game
/// connected), or the object itself.
pub fn check_signal_method(m: &Vm, target: &Variant, method: &str) -> HostResult {
    if target.get_type() != VariantType::SIGNAL {
        return Ok(());
    }
    let object_method = match method {
        "emit" => "emit_signal",
        "connect" => "connect",
        "disconnect" => "disconnect",
        "is_connected" => "is_connected",
        "get_connections" => "get_signal_connection_list",
        "has_connections" => "has_connections",
        _ => return Ok(()),
    };
    match target.to::<Signal>().object() {
        Some(object) => {
            m.data.restrictions.check_object(&object)?;
            Ok(m.data.restrictions.check_method(&object, object_method)?)
        }
        None => Ok(()),
    }
}
