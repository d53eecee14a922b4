//! Guest Variants turned into text by Godot (printing, `str`, `var_to_str`, `%`, `format`,
//! conversions to text types): what must be checked before Godot does it.
//!
//! Two things can go wrong inside Godot, out of the host call's reach once it has started:
//! - **Size.** Containers nested in containers multiply: an Array holding an Array of itself,
//!   four levels deep, prints billions of characters, all built before anything could count
//!   them. The text is estimated first, by a walk that stops as soon as the estimate passes
//!   the limit; the estimate is charged to the instruction budget, as the work of printing
//!   it (and of the walk) grows with it.
//! - **Objects.** `str` of an Object runs its script's `_to_string`, and `var_to_str` writes out
//!   every property of an Object. Both reach past the restrictions unless checked here: the
//!   first needs the method rule to allow `_to_string`, the second is refused for Objects.
//!
//! The same walk, counting elements instead of characters, bounds the other operations that
//! go through nested containers: comparing, hashing and deep copies ([`check_traversable`]).
//! A guest that pushes one Array sixteen times into the next, six levels deep, holds 16
//! million elements after 96 pushes; `==` on it, `hash` or `duplicate(true)` would take
//! seconds and gigabytes, and two levels more, hours.

use godot::prelude::*;
use rvsandbox_vm::HostError;

use super::object_access::check_allowed_callable;
use super::{containers, integer_of, length, refused, HostResult, MAX_ELEMENTS};
use crate::restrictions::Restrictions;
use crate::runtime::Vm;

/// How deep a Variant to print may nest containers. Godot prints deeper ones (a container
/// holding itself, for one) as `[...]`, with an error of its own.
const MAX_PRINTED_DEPTH: u32 = 100;

/// What the conversion to text does with the Objects it meets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Objects {
    /// Prints them as `str` does: through their script's `_to_string`, if it has one.
    Printed,
    /// Writes their instance ids only (`var_to_bytes`): nothing of theirs runs.
    Identified,
    /// Writes out every property (`var_to_str`): refused, since it reads them all around the
    /// property rule.
    Serialized,
}

/// `value` as text (what GDScript's `str` gives), if [`check_printable`].
pub fn text_of(m: &mut Vm, value: &Variant) -> Result<GString, HostError> {
    check_printable(m, value, Objects::Printed)?;
    Ok(value.stringify())
}

/// Refuses `value` if its text (or encoding) could take more than about [`MAX_ELEMENTS`]
/// characters through containers, nests containers more than [`MAX_PRINTED_DEPTH`] deep, or
/// holds an Object that `objects` may not convert.
pub fn check_printable(m: &mut Vm, value: &Variant, objects: Objects) -> HostResult {
    check_all_printable(m, std::slice::from_ref(value), objects)
}

/// [`check_printable`] for values printed together (one budget for all).
pub fn check_all_printable(m: &mut Vm, values: &[Variant], objects: Objects) -> HostResult {
    printed_characters(m, values, objects).map(drop)
}

/// Refuses `template % values` (VEVAL) if it could build more than [`MAX_ELEMENTS`]
/// characters: the values' text (checked as printing is), the template, and the widths and
/// precisions its `%` conversions ask for, written in it (`%2000000000d` would build two
/// billion characters) or taken from the values with `*`; `%v` pads each of a vector's four
/// components at most.
pub fn check_sprintf(m: &mut Vm, template: &str, values: &Variant) -> HostResult {
    /// Characters a conversion writes besides its width and precision (a number's digits).
    const CONVERSION: u64 = 32;
    let values_text = printed_characters(m, std::slice::from_ref(values), Objects::Printed)?;
    let mut bound = values_text.saturating_add(template.len() as u64);
    let mut takes_widths = false;
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            continue;
        }
        let (mut number, mut padding) = (0u64, 0u64);
        while let Some(&c) = chars.peek() {
            match c {
                '0'..='9' => number = number.saturating_mul(10).saturating_add(u64::from(c) - u64::from('0')),
                '.' | '-' | '+' | ' ' => padding = padding.saturating_add(std::mem::take(&mut number)),
                '*' => takes_widths = true,
                _ => break,
            }
            chars.next();
        }
        let components = if chars.peek() == Some(&'v') { 4 } else { 1 };
        padding = padding.saturating_add(number).saturating_mul(components);
        bound = bound.saturating_add(padding).saturating_add(components * CONVERSION);
    }
    if takes_widths {
        let numbers = match values.try_to::<AnyArray>() {
            Ok(array) => array.iter_shared().collect(),
            Err(_) => vec![values.clone()],
        };
        let widths = numbers.iter().filter_map(integer_of).map(|width| width.unsigned_abs().saturating_mul(4));
        bound = widths.fold(bound, u64::saturating_add);
    }
    within_text_limit("text % values", bound)
}

/// Refuses `template.format(values, placeholder)` (VCALL) if it could build more than
/// [`MAX_ELEMENTS`] characters. Godot replaces the placeholders (`{0}`, `{name}`: the
/// placeholder, `{_}` by default, with `_` replaced by each key) one value after another in
/// the growing text, so a value whose text holds the placeholder's opening (`{`) could be
/// expanded again by the next, exponentially: such values are refused. Otherwise each
/// occurrence of the opening in the template takes at most the longest value's text.
pub fn check_format(m: &mut Vm, template: &Variant, args: &[Variant]) -> HostResult {
    printed_characters(m, args, Objects::Printed)?;
    let placeholder = args.get(1).map_or("{_}".to_string(), |placeholder| placeholder.to_string());
    let (opening, closing) = placeholder.split_once('_').unwrap_or((&placeholder, ""));
    let Some(marker) = [opening, closing].into_iter().find(|part| !part.is_empty()) else {
        return Err(refused("format: the placeholder needs text around its '_'"));
    };
    let values: Vec<Variant> = match args.first() {
        Some(values) if values.get_type() == VariantType::DICTIONARY => {
            values.to::<AnyDictionary>().iter_shared().map(|(_, value)| value).collect()
        }
        Some(values) if values.get_type() == VariantType::ARRAY => values.to::<AnyArray>().iter_shared().collect(),
        // An Object's properties would be read by name, around the property rule.
        _ => return Err(refused("format takes an Array or a Dictionary of values")),
    };
    let mut longest = 0;
    for value in &values {
        let text = value.stringify().to_string();
        if text.contains(marker) {
            return Err(refused(format!("format: a value's text contains '{marker}', which would be expanded again")));
        }
        longest = longest.max(text.chars().count() as u64);
    }
    let template = template.to_string();
    let occurrences = template.matches(marker).count() as u64;
    within_text_limit("format", (template.len() as u64).saturating_add(occurrences.saturating_mul(longest)))
}

fn within_text_limit(what: &str, characters: u64) -> HostResult {
    if characters > MAX_ELEMENTS {
        return Err(refused(format!("{what} could build {characters} characters (at most {MAX_ELEMENTS})")));
    }
    Ok(())
}

/// [`check_all_printable`], giving at most how many characters the values print.
fn printed_characters(m: &mut Vm, values: &[Variant], objects: Objects) -> Result<u64, HostError> {
    walk(m, values, Measure::Characters, objects)
}

/// Refuses `values` if going through them (comparing, hashing or copying them deeply) could
/// visit more than [`MAX_ELEMENTS`] elements (a string counts its characters, a packed array
/// its elements) or containers nested more than [`MAX_PRINTED_DEPTH`] deep.
pub fn check_traversable(m: &mut Vm, values: &[Variant]) -> HostResult {
    walk(m, values, Measure::Elements, Objects::Identified).map(drop)
}

/// [`check_traversable`] for ordering (`<`, `sort`, `max`...), with tighter limits (see
/// [`Measure::Ordered`]).
pub fn check_orderable(m: &mut Vm, values: &[Variant]) -> HostResult {
    walk(m, values, Measure::Ordered, Objects::Identified).map(drop)
}

/// Refuses `values` the guest hands to the game (object call arguments, property values) if
/// they hold, at any depth, a Callable the rules do not allow calling: the game may call it
/// later (see `object_access::check_allowed_callable`). Bounded as [`check_traversable`].
pub fn check_handed_over(m: &mut Vm, values: &[Variant]) -> HostResult {
    let sandbox = m.data.node;
    walk_with(m, values, Measure::Elements, Objects::Identified, Some(sandbox)).map(drop)
}

/// Walks `values`, charging what was counted to the instruction budget; gives the count.
fn walk(m: &mut Vm, values: &[Variant], measure: Measure, objects: Objects) -> Result<u64, HostError> {
    walk_with(m, values, measure, objects, None)
}

/// [`walk`], also checking the Callables met when `callables_of` names the Sandbox.
fn walk_with(
    m: &mut Vm,
    values: &[Variant],
    measure: Measure,
    objects: Objects,
    callables_of: Option<InstanceId>,
) -> Result<u64, HostError> {
    let restrictions = &m.data.restrictions;
    let (budget, max_depth) = measure.limits();
    let mut walk = Walk { budget, max_depth, flat: 0, measure, restrictions, objects, callables_of, denied: None };
    let refused_value = values.iter().find(|value| !walk.visit(value, 0));
    let counted = (budget - walk.budget).saturating_add(walk.flat);
    let denied = walk.denied;
    match measure {
        // Printing costs what a guest loop writing the text would.
        Measure::Characters => m.charge_bytes(counted.saturating_mul(4)),
        Measure::Elements | Measure::Ordered => m.charge(counted),
    }
    let Some(value) = refused_value else {
        return Ok(counted);
    };
    let what = match measure {
        Measure::Characters => format!("to print (at most {budget} characters"),
        Measure::Elements => format!("to compare, hash or copy deeply (at most {budget} elements"),
        Measure::Ordered => format!("to order (at most {budget} elements"),
    };
    Err(denied.unwrap_or_else(|| {
        refused(format!("a {:?} is too large or too deeply nested {what}, {max_depth} levels)", value.get_type()))
    }))
}

/// What a [`Walk`] counts.
#[derive(Clone, Copy)]
enum Measure {
    /// The characters printing would write.
    Characters,
    /// The elements a comparison, hash or deep copy would visit.
    Elements,
    /// The elements an ordering would visit. Godot orders two Arrays by asking both `a < b`
    /// and `b < a` of each pair of elements, so the work doubles with each level of nesting:
    /// at most four levels, and a sixteenth of the elements.
    Ordered,
}

impl Measure {
    /// The budget and the deepest nesting a walk allows.
    fn limits(self) -> (u64, u32) {
        match self {
            Measure::Characters | Measure::Elements => (MAX_ELEMENTS, MAX_PRINTED_DEPTH),
            Measure::Ordered => (MAX_ELEMENTS >> 4, 4),
        }
    }
}

/// One check: what is left of the budget, and the first Object refused.
struct Walk<'a> {
    budget: u64,
    max_depth: u32,
    measure: Measure,
    /// What the values on their own count (outside the budget, but charged).
    flat: u64,
    restrictions: &'a Restrictions,
    objects: Objects,
    /// The Sandbox whose rules Callables are checked against, if they are.
    callables_of: Option<InstanceId>,
    denied: Option<HostError>,
}

impl Walk<'_> {
    /// Takes `cost` from the budget; false once it is spent.
    fn take(&mut self, cost: u64) -> bool {
        let enough = self.budget >= cost;
        self.budget = self.budget.saturating_sub(cost);
        enough
    }

    /// Takes from the budget what printing `value`, `depth` containers down, costs, and checks
    /// its Objects; false to stop. Only what containers repeat can multiply, so the estimate
    /// counts what is visited through them, by what each value prints at most (see
    /// [`printed_size`]). A value on its own, not in a container, prints in proportion to what
    /// it already holds, and counts as one.
    fn visit(&mut self, value: &Variant, depth: u32) -> bool {
        // What a container costs on its own, what separates its elements, and what a string
        // in a PackedStringArray adds to its length: in text, brackets, ", " and quotes.
        let (container, separator, string) = match self.measure {
            Measure::Characters => (2, 2, 6),
            Measure::Elements | Measure::Ordered => (1, 0, 1),
        };
        if depth > self.max_depth {
            return false;
        }
        // As AnyArray and AnyDictionary: typed containers (`Array[int]`) do not convert to untyped.
        match value.get_type() {
            VariantType::ARRAY => value.try_to::<AnyArray>().is_ok_and(|array| {
                self.take(container)
                    && array.iter_shared().all(|element| self.take(separator) && self.visit(&element, depth + 1))
            }),
            VariantType::DICTIONARY => value.try_to::<AnyDictionary>().is_ok_and(|dictionary| {
                self.take(container)
                    && dictionary.iter_shared().all(|(key, element)| {
                        self.take(2 * separator) && self.visit(&key, depth + 1) && self.visit(&element, depth + 1)
                    })
            }),
            VariantType::OBJECT if !self.object_allowed(value) => false,
            VariantType::CALLABLE if self.callables_of.is_some() => {
                let Some(sandbox) = self.callables_of else { return true };
                match check_allowed_callable(self.restrictions, sandbox, &value.to()) {
                    Ok(()) => self.take(1),
                    Err(denied) => {
                        self.denied = Some(denied);
                        false
                    }
                }
            }
            VariantType::PACKED_STRING_ARRAY if depth > 0 => value
                .try_to::<PackedStringArray>()
                .is_ok_and(|strings| strings.as_slice().iter().all(|text| self.take(string + text.len() as u64))),
            _ if depth == 0 => {
                self.flat = self.flat.saturating_add(self.size(value));
                self.take(1)
            }
            _ => {
                let size = self.size(value);
                self.take(size)
            }
        }
    }

    /// What `value`, neither a container nor a PackedStringArray in one, counts.
    fn size(&self, value: &Variant) -> u64 {
        match self.measure {
            Measure::Characters => printed_size(value),
            // A string compares and hashes by its characters, a packed array by its elements.
            Measure::Elements | Measure::Ordered => length(value).unwrap_or(1).max(1),
        }
    }

    /// Whether the Object in `value` may be converted as [`Objects`] says; records why not.
    fn object_allowed(&mut self, value: &Variant) -> bool {
        if self.objects == Objects::Identified {
            return true;
        }
        // A null or freed Object prints as such.
        let Ok(object) = value.try_to::<Gd<Object>>() else { return true };
        let denied = match self.objects {
            Objects::Identified => None,
            Objects::Serialized => Some(refused(format!(
                "var_to_str of an Object ({}) would write out all its properties",
                object.get_class()
            ))),
            // Only a script's `_to_string` runs code of the game's; the default text does not.
            Objects::Printed if object.has_method("_to_string") => {
                self.restrictions.check_method(&object, "_to_string").err().map(HostError::from)
            }
            Objects::Printed => None,
        };
        self.denied = denied;
        self.denied.is_none()
    }
}

/// At most how many characters `value`, neither a container nor a PackedStringArray, prints.
fn printed_size(value: &Variant) -> u64 {
    let ty = value.get_type();
    match ty {
        VariantType::STRING | VariantType::STRING_NAME => length(value).unwrap_or(0),
        VariantType::NODE_PATH => value.stringify().len() as u64,
        // An object prints its class and id, a Node its name too (which the guest may set).
        VariantType::OBJECT => 64 + value.try_to::<Gd<Node>>().map_or(0, |node| node.get_name().len() as u64),
        VariantType::NIL | VariantType::BOOL | VariantType::INT | VariantType::FLOAT => 24,
        _ => match length(value) {
            // A packed array's elements: bytes ("255, "), or numbers of up to four components.
            Some(elements) if ty == VariantType::PACKED_BYTE_ARRAY => elements.saturating_mul(5),
            Some(elements) => {
                elements.saturating_mul(2 + 25 * containers::packed_element_bytes(ty).unwrap_or(4).div_ceil(4))
            }
            // Vectors, transforms, projections, callables...: a projection prints 16 numbers.
            None => 16 * 25,
        },
    }
}
