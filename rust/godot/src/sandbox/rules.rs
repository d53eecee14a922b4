//! The Sandbox's restriction methods (godot-sandbox's API): what the guest may reach. The rules
//! themselves are in `restrictions.rs`.

use godot::global::godot_error;
use godot::prelude::*;

use super::{off_main_thread, Sandbox};
use crate::restrictions::Kind;

#[godot_api(secondary)]
impl Sandbox {
    /// Whether the guest may reach no class at all (restrictions on, and no class callback).
    #[func]
    fn is_class_access_restricted(&self) -> bool {
        if off_main_thread("is_class_access_restricted") {
            return false;
        }
        self.rules.refuses_every_class()
    }

    /// A rule that allows nothing, whatever it is asked (godot-sandbox's; `restrictions = true`
    /// refuses what no callback allows without it).
    #[func]
    fn restrictive_callback_function(_arg: Variant) -> bool {
        false
    }

    /// Lets the guest use `instance` (when object access is restricted).
    #[func]
    fn add_allowed_object(&mut self, instance: Option<Gd<Object>>) {
        if off_main_thread("add_allowed_object") {
            return;
        }
        let Some(instance) = instance else {
            godot_error!("Sandbox.add_allowed_object: cannot allow a null object");
            return;
        };
        if self.rules.object_access_unrestricted() && self.refuse_while_running("begin restricting objects") {
            return;
        }
        self.rules.allow_object(&instance);
    }

    #[func]
    fn remove_allowed_object(&mut self, instance: Option<Gd<Object>>) {
        if off_main_thread("remove_allowed_object") {
            return;
        }
        if let Some(instance) = instance {
            self.rules.disallow_object(&instance);
        }
    }

    #[func]
    fn clear_allowed_objects(&mut self) {
        if off_main_thread("clear_allowed_objects") {
            return;
        }
        if !self.refuse_while_running("clear allowed objects") {
            self.rules.clear_objects();
        }
    }

    /// `callback(sandbox, class_name) -> bool`; an invalid Callable removes the rule.
    #[func]
    fn set_class_allowed_callback(&mut self, instance: Callable) {
        if off_main_thread("set_class_allowed_callback") {
            return;
        }
        self.set_rule(Kind::Class, instance);
    }

    /// `callback(sandbox, object) -> bool`, asked for objects not on the allowed list.
    #[func]
    fn set_object_allowed_callback(&mut self, instance: Callable) {
        if off_main_thread("set_object_allowed_callback") {
            return;
        }
        self.set_rule(Kind::Object, instance);
    }

    /// `callback(sandbox, object, method) -> bool`.
    #[func]
    fn set_method_allowed_callback(&mut self, instance: Callable) {
        if off_main_thread("set_method_allowed_callback") {
            return;
        }
        self.set_rule(Kind::Method, instance);
    }

    /// `callback(sandbox, object, property, is_set) -> bool`.
    #[func]
    fn set_property_allowed_callback(&mut self, instance: Callable) {
        if off_main_thread("set_property_allowed_callback") {
            return;
        }
        self.set_rule(Kind::Property, instance);
    }

    /// `callback(sandbox, path) -> bool`, asked before the guest loads a resource.
    #[func]
    fn set_resource_allowed_callback(&mut self, instance: Callable) {
        if off_main_thread("set_resource_allowed_callback") {
            return;
        }
        self.set_rule(Kind::Resource, instance);
    }

    #[func]
    fn is_allowed_class(&self, name: GString) -> bool {
        if off_main_thread("is_allowed_class") {
            return false;
        }
        self.rules.allows_class(&name.to_string())
    }

    #[func]
    fn is_allowed_object(&self, instance: Option<Gd<Object>>) -> bool {
        if off_main_thread("is_allowed_object") {
            return false;
        }
        instance.is_some_and(|o| self.rules.allows_object(&o))
    }

    #[func]
    fn is_allowed_method(&self, instance: Option<Gd<Object>>, method: Variant) -> bool {
        if off_main_thread("is_allowed_method") {
            return false;
        }
        instance.is_some_and(|o| self.rules.allows_method(&o, &method.stringify().to_string()))
    }

    #[func]
    fn is_allowed_property(
        &self,
        instance: Option<Gd<Object>>,
        property: Variant,
        #[opt(default = true)] is_set: bool,
    ) -> bool {
        if off_main_thread("is_allowed_property") {
            return false;
        }
        instance.is_some_and(|o| self.rules.allows_property(&o, &property.stringify().to_string(), is_set))
    }

    #[func]
    fn is_allowed_resource(&self, res: GString) -> bool {
        if off_main_thread("is_allowed_resource") {
            return false;
        }
        self.rules.allows_resource(&res.to_string())
    }
}
