//! What a guest may reach: godot-sandbox's restrictions model (its `restrictions` property,
//! allowed-objects list and the five "allowed" callbacks), shared by a `Sandbox` node and the
//! host data of the machine it runs.
//!
//! Each kind of access (classes, objects, methods, properties, resources) has a [`Rule`]:
//! unset (everything allowed), deny-all (what `restrictions = true` installs where no callback
//! was set), or a Callable that decides, called with the Sandbox first. Objects are also
//! allowed by the explicit allowed-objects list; object access is unrestricted only while the
//! list is empty and no object rule is set.
//!
//! The host calls ask these questions before touching anything (docs/godot.md,
//! "Restrictions"); a refusal ends the vmcall with one engine error, except GET_OBJ and
//! GET_NODE, which answer a null handle as godot-sandbox does.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::{Rc, Weak};

use godot::prelude::*;
use rvsandbox_vm::HostError;
use thiserror::Error;

/// How one kind of access is decided.
#[derive(Clone, Default)]
pub enum Rule {
    /// Not restricted.
    #[default]
    Unset,
    /// Always refused (`restrictions = true` without a callback of the user's, or
    /// `Sandbox.restrictive_callback_function` as the callback).
    DenyAll,
    /// The Callable decides; it receives the Sandbox, then the subject.
    Callback(Callable),
}

impl Rule {
    fn is_set(&self) -> bool {
        !matches!(self, Rule::Unset)
    }

    /// Whether `args` (after the Sandbox) are allowed.
    fn allows(&self, sandbox: Option<InstanceId>, args: &[Variant]) -> bool {
        match self {
            Rule::Unset => true,
            Rule::DenyAll => false,
            Rule::Callback(callable) => {
                let sandbox = sandbox.and_then(|id| Gd::<Object>::try_from_instance_id(id).ok());
                let mut all = VarArray::new();
                all.push(&sandbox.to_variant());
                for arg in args {
                    all.push(arg);
                }
                callable.callv(&all).booleanize()
            }
        }
    }
}

/// The name of `Sandbox.restrictive_callback_function`.
const RESTRICTIVE_CALLBACK: &str = "restrictive_callback_function";

/// The kinds of access a Sandbox can restrict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Class,
    Object,
    Method,
    Property,
    Resource,
}

const KINDS: [Kind; 5] = [Kind::Class, Kind::Object, Kind::Method, Kind::Property, Kind::Resource];

#[derive(Default)]
struct Inner {
    rules: [Rule; 5],
    /// Allowed objects by instance id; the Variant keeps a RefCounted one alive.
    allowed: HashMap<i64, Variant>,
}

/// A Sandbox's restrictions. Shared (`Rc`) between the node and its machine's host data.
#[derive(Default)]
pub struct Restrictions {
    /// The Sandbox node, passed to callbacks.
    sandbox: std::cell::Cell<Option<InstanceId>>,
    inner: RefCell<Inner>,
}

impl Restrictions {
    fn rule(&self, kind: Kind) -> Rule {
        self.inner.borrow().rules[kind as usize].clone()
    }

    /// Sets the rule for `kind` from a Callable (an invalid one unsets it; one of
    /// `Sandbox.restrictive_callback_function`, godot-sandbox's rule that allows nothing, refuses
    /// everything without being called).
    pub fn set_callback(&self, kind: Kind, callback: Callable) {
        let allows_nothing = callback.method_name().is_some_and(|name| name == RESTRICTIVE_CALLBACK)
            && callback.object().is_some_and(|object| object.is_class("Sandbox"));
        let rule = if !callback.is_valid() {
            Rule::Unset
        } else if allows_nothing {
            Rule::DenyAll
        } else {
            Rule::Callback(callback)
        };
        self.inner.borrow_mut().rules[kind as usize] = rule;
    }

    /// `restrictions = true`: every unset rule becomes deny-all. `false`: every rule is unset
    /// (callbacks included), as godot-sandbox does.
    pub fn set_enabled(&self, enabled: bool) {
        let mut inner = self.inner.borrow_mut();
        for rule in inner.rules.iter_mut() {
            if !enabled {
                *rule = Rule::Unset;
            } else if !rule.is_set() {
                *rule = Rule::DenyAll;
            }
        }
    }

    /// True when every kind of access has a rule.
    pub fn enabled(&self) -> bool {
        KINDS.iter().all(|&k| self.inner.borrow().rules[k as usize].is_set())
    }

    /// True when no class may be reached: the class rule refuses everything (restrictions are
    /// on and no class callback is set, or the callback is `restrictive_callback_function`).
    pub fn refuses_every_class(&self) -> bool {
        matches!(self.rule(Kind::Class), Rule::DenyAll)
    }

    pub fn allow_object(&self, object: &Gd<Object>) {
        self.inner.borrow_mut().allowed.insert(object.instance_id().to_i64(), object.to_variant());
    }

    pub fn disallow_object(&self, object: &Gd<Object>) {
        self.inner.borrow_mut().allowed.remove(&object.instance_id().to_i64());
    }

    pub fn clear_objects(&self) {
        self.inner.borrow_mut().allowed.clear();
    }

    /// No allowed-objects list and no object rule: any live object the guest was given may be
    /// used.
    pub fn object_access_unrestricted(&self) -> bool {
        let inner = self.inner.borrow();
        inner.allowed.is_empty() && !inner.rules[Kind::Object as usize].is_set()
    }

    /// Nothing is restricted at all.
    pub fn fully_unrestricted(&self) -> bool {
        self.object_access_unrestricted() && KINDS.iter().all(|&k| !self.inner.borrow().rules[k as usize].is_set())
    }

    /// Allowed by the list or the object rule (not merely because access is unrestricted).
    pub fn explicitly_allows_object(&self, object: &Gd<Object>) -> bool {
        if self.inner.borrow().allowed.contains_key(&object.instance_id().to_i64()) {
            return true;
        }
        match self.rule(Kind::Object) {
            Rule::Unset => false,
            rule => rule.allows(self.sandbox.get(), &[object.to_variant()]),
        }
    }

    pub fn allows_object(&self, object: &Gd<Object>) -> bool {
        self.object_access_unrestricted() || self.explicitly_allows_object(object)
    }

    pub fn allows_class(&self, class: &str) -> bool {
        self.rule(Kind::Class).allows(self.sandbox.get(), &[GString::from(class).to_variant()])
    }

    pub fn allows_method(&self, object: &Gd<Object>, method: &str) -> bool {
        let rule = self.rule(Kind::Method);
        matches!(rule, Rule::Unset)
            || rule.allows(self.sandbox.get(), &[object.to_variant(), GString::from(method).to_variant()])
    }

    pub fn allows_property(&self, object: &Gd<Object>, property: &str, is_set: bool) -> bool {
        let rule = self.rule(Kind::Property);
        matches!(rule, Rule::Unset)
            || rule.allows(
                self.sandbox.get(),
                &[object.to_variant(), GString::from(property).to_variant(), is_set.to_variant()],
            )
    }

    pub fn allows_resource(&self, path: &str) -> bool {
        self.rule(Kind::Resource).allows(self.sandbox.get(), &[GString::from(path).to_variant()])
    }
}

/// An access the restrictions refused.
#[derive(Debug, Clone, Error)]
pub enum Denied {
    #[error("class not allowed: {0}")]
    Class(String),
    #[error("object not allowed: {0}")]
    Object(String),
    #[error("banned method called: {class}.{method}")]
    Method { class: String, method: String },
    #[error("banned property {}: {class}.{property}", if *is_set { "set" } else { "accessed" })]
    Property { class: String, property: String, is_set: bool },
    #[error("resource path not allowed: {0}")]
    Resource(String),
    #[error("{0} is only available to a fully unrestricted Sandbox")]
    Unrestricted(&'static str),
}

impl From<Denied> for HostError {
    fn from(denied: Denied) -> HostError {
        HostError::Refused(denied.to_string())
    }
}

impl Restrictions {
    pub fn check_class(&self, class: &str) -> Result<(), Denied> {
        self.allows_class(class).then_some(()).ok_or_else(|| Denied::Class(class.to_string()))
    }

    pub fn check_object(&self, object: &Gd<Object>) -> Result<(), Denied> {
        self.allows_object(object).then_some(()).ok_or_else(|| Denied::Object(object.get_class().to_string()))
    }

    pub fn check_method(&self, object: &Gd<Object>, method: &str) -> Result<(), Denied> {
        self.allows_method(object, method)
            .then_some(())
            .ok_or_else(|| Denied::Method { class: object.get_class().to_string(), method: method.to_string() })
    }

    pub fn check_property(&self, object: &Gd<Object>, property: &str, is_set: bool) -> Result<(), Denied> {
        self.allows_property(object, property, is_set).then_some(()).ok_or_else(|| Denied::Property {
            class: object.get_class().to_string(),
            property: property.to_string(),
            is_set,
        })
    }

    pub fn check_resource(&self, path: &str) -> Result<(), Denied> {
        self.allows_resource(path).then_some(()).ok_or_else(|| Denied::Resource(path.to_string()))
    }

    /// Refuses `what` unless nothing is restricted.
    pub fn check_unrestricted(&self, what: &'static str) -> Result<(), Denied> {
        self.fully_unrestricted().then_some(()).ok_or(Denied::Unrestricted(what))
    }
}

thread_local! {
    /// Each Sandbox node's restrictions, so a machine built for it (and `main()` running in
    /// it) obeys them from the first instruction.
    static REGISTRY: RefCell<HashMap<InstanceId, Weak<Restrictions>>> = RefCell::new(HashMap::new());
}

/// Makes `restrictions` the ones machines built for `sandbox` use.
pub fn register(sandbox: InstanceId, restrictions: &Rc<Restrictions>) {
    restrictions.sandbox.set(Some(sandbox));
    REGISTRY.with(|r| {
        let mut r = r.borrow_mut();
        r.retain(|_, weak| weak.strong_count() > 0);
        r.insert(sandbox, Rc::downgrade(restrictions));
    });
}

/// The restrictions of `sandbox` (unrestricted ones if it registered none).
pub fn of(sandbox: InstanceId) -> Rc<Restrictions> {
    REGISTRY.with(|r| r.borrow().get(&sandbox).and_then(Weak::upgrade)).unwrap_or_default()
}
