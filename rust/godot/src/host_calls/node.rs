//! Nodes: GET_NODE (507), NODE (508), NODE_CREATE (532).

use godot::classes::{ClassDb, Node2D, Node3D};
use godot::prelude::*;
use rvsandbox_vm::HostError;

use super::containers::write_std_vector;
use super::{log_error, node_path, object, read_str, read_variant, refused, text_of, write_variant, HostResult};
use crate::abi::GuestVariant;
use crate::runtime::{with_reentry, Vm};

/// Node_Op (508) sub-operations.
mod op {
    pub const GET_NAME: u64 = 0;
    pub const GET_PATH: u64 = 1;
    pub const GET_PARENT: u64 = 2;
    pub const QUEUE_FREE: u64 = 3;
    pub const DUPLICATE: u64 = 4;
    pub const GET_CHILD_COUNT: u64 = 5;
    pub const GET_CHILD: u64 = 6;
    pub const ADD_CHILD: u64 = 7;
    pub const ADD_CHILD_DEFERRED: u64 = 8;
    pub const ADD_SIBLING: u64 = 9;
    pub const ADD_SIBLING_DEFERRED: u64 = 10;
    pub const MOVE_CHILD: u64 = 11;
    pub const REMOVE_CHILD: u64 = 12;
    pub const REMOVE_CHILD_DEFERRED: u64 = 13;
    pub const GET_CHILDREN: u64 = 14;
    pub const SET_NAME: u64 = 15;
    pub const REPARENT: u64 = 16;
    pub const REPLACE_BY: u64 = 17;
    pub const ADD_TO_GROUP: u64 = 18;
    pub const REMOVE_FROM_GROUP: u64 = 19;
    pub const IS_IN_GROUP: u64 = 20;
    pub const IS_INSIDE_TREE: u64 = 21;
}

/// Godot's `Node.DUPLICATE_SIGNALS` and `DUPLICATE_SCRIPTS` flags.
const DUPLICATE_SIGNALS: u64 = 1;
const DUPLICATE_SCRIPTS: u64 = 4;

/// Asks the class rule about every node a duplicate of `root` would make: the root and all its
/// descendants (not internal children, which Godot does not copy: a ScrollContainer's own
/// scroll bars, for one).
fn check_subtree_classes(m: &Vm, root: &Gd<Node>) -> Result<(), HostError> {
    let mut pending = vec![root.clone()];
    while let Some(node) = pending.pop() {
        m.data.restrictions.check_class(&node.get_class().to_string())?;
        pending.extend(node.get_children().iter_shared());
    }
    Ok(())
}

/// Refuses a change to the scene tree that Godot would refuse with an error of its own: `other`
/// becomes a child of `target` (add_child), of its parent (add_sibling) or takes its place
/// (replace_by), leaves it (remove_child), or becomes its parent (reparent).
fn check_tree_change(method: &str, target: &Gd<Node>, other: &Gd<Node>) -> Result<(), HostError> {
    let why = match method {
        _ if other == target => "a node and itself",
        "add_child" | "add_sibling" | "replace_by" if other.get_parent().is_some() => "the node already has a parent",
        "add_child" | "add_sibling" if other.is_ancestor_of(target) => "the node is an ancestor of this one",
        "add_sibling" | "reparent" if target.get_parent().is_none() => "this node has no parent",
        "remove_child" if other.get_parent().is_none_or(|parent| parent != *target) => "not a child of this node",
        "reparent" if target.is_ancestor_of(other) => "the new parent is inside this node",
        _ => return Ok(()),
    };
    Err(refused(format!("{method}: {why}")))
}

/// The node behind a guest handle.
pub fn node(m: &Vm, handle: u64) -> Result<Gd<Node>, HostError> {
    object(m, handle)?.try_cast::<Node>().map_err(|o| refused(format!("Object was not a Node (a {})", o.get_class())))
}

fn handle_of(m: &mut Vm, node: Option<Gd<Node>>) -> Result<u64, HostError> {
    match node {
        Some(n) => Ok(m.data.refs.object_handle(&n.upcast())?),
        None => Ok(0),
    }
}

/// 507 GET_NODE: a0 = base node handle (0 = the Sandbox node), a1/a2 = node path. a0 = the
/// node's handle, or 0 (and an engine error) if there is none.
pub fn get_node(m: &mut Vm) -> HostResult {
    let (base_handle, path) = (m.sysarg(0), read_str(m, m.sysarg(1), m.sysarg(2))?);
    let base: Gd<Node> = if base_handle == 0 {
        m.data.node().ok_or_else(|| refused("the Sandbox node no longer exists"))?
    } else {
        node(m, base_handle)?
    };
    // A path Godot cannot parse names no node, and neither does an absolute path from a node
    // outside the scene tree (Godot would log an error of its own).
    let path_from_base = node_path(&path).ok().filter(|p| !p.is_absolute() || base.is_inside_tree());
    let mut found = path_from_base.and_then(|path| base.get_node_or_null(&path));
    match &found {
        None => log_error!(m, "Sandbox: GET_NODE: node not found: '{path}'"),
        Some(node) => {
            if let Err(denied) = m.data.restrictions.check_object(&node.clone().upcast()) {
                log_error!(m, "Sandbox: GET_NODE: '{path}': {denied}");
                found = None;
            }
        }
    }
    let handle = handle_of(m, found)?;
    m.set_result(handle);
    Ok(())
}

/// 508 NODE: a0 = Node_Op, a1 = node handle, a2.. per operation (docs/guest-abi.md §7.2).
pub fn node_op(m: &mut Vm) -> HostResult {
    let (operation, a2, a3, a4) = (m.sysarg(0), m.sysarg(2), m.sysarg(3), m.sysarg(4));
    let mut target = node(m, m.sysarg(1))?;
    check_node_op(m, &target, operation)?;
    match operation {
        op::GET_NAME => write_variant(m, a2, &target.get_name().to_variant())?,
        op::GET_PATH => write_variant(m, a2, &target.get_path().to_variant())?,
        op::GET_PARENT => {
            let parent = target.get_parent();
            if let Some(parent) = &parent {
                m.data.restrictions.check_object(&parent.clone().upcast())?;
            }
            let handle = handle_of(m, parent)?;
            m.memory.write_u64(a2, handle)?;
        }
        op::QUEUE_FREE => {
            if target.instance_id() == m.data.node {
                return Err(refused("a guest cannot free its own Sandbox"));
            }
            target.queue_free();
        }
        op::DUPLICATE => {
            use godot::obj::EngineBitfield as _;
            // Copying scripts makes new instances of the game's scripts (their initializers and
            // setters run); copying signals connects the copy wherever the original is.
            if a3 & (DUPLICATE_SIGNALS | DUPLICATE_SCRIPTS) != 0 {
                m.data.restrictions.check_unrestricted("NODE DUPLICATE of scripts or signals (flags 1 and 4)")?;
            }
            check_subtree_classes(m, &target)?;
            let flags = godot::classes::node::DuplicateFlags::from_ord(a3 & 0x7);
            let copy = target.duplicate_node_ex().flags(flags).done();
            let given = handle_of(m, Some(copy.clone())).and_then(|handle| Ok(m.memory.write_u64(a2, handle)?));
            if given.is_err() {
                // Nobody else has the copy: left alone, it would never be freed.
                copy.free();
            }
            given?;
        }
        op::GET_CHILD_COUNT => m.memory.write_u64(a2, target.get_child_count() as u64)?,
        op::GET_CHILD => {
            let index = GuestVariant::read(&m.memory, a2)?.word() as i64;
            // A child that is not allowed looks like a missing one.
            let child = if (0..target.get_child_count() as i64).contains(&index) {
                target.get_child(index as i32).filter(|c| m.data.restrictions.allows_object(&c.clone().upcast()))
            } else {
                None
            };
            let value = match handle_of(m, child)? {
                0 => Variant::nil(),
                handle => (handle as i64).to_variant(),
            };
            write_variant(m, a2, &value)?;
        }
        op::ADD_CHILD
        | op::ADD_CHILD_DEFERRED
        | op::ADD_SIBLING
        | op::ADD_SIBLING_DEFERRED
        | op::REMOVE_CHILD
        | op::REMOVE_CHILD_DEFERRED => {
            let other = node(m, GuestVariant::read(&m.memory, a2)?.word())?;
            let method = match operation {
                op::ADD_CHILD | op::ADD_CHILD_DEFERRED => "add_child",
                op::ADD_SIBLING | op::ADD_SIBLING_DEFERRED => "add_sibling",
                _ => "remove_child",
            };
            check_tree_change(method, &target, &other)?;
            if matches!(operation, op::ADD_CHILD_DEFERRED | op::ADD_SIBLING_DEFERRED | op::REMOVE_CHILD_DEFERRED) {
                target.call_deferred(method, &[other.to_variant()]);
            } else {
                with_reentry(m, || target.call(method, &[other.to_variant()]));
            }
        }
        op::MOVE_CHILD => {
            let child = node(m, GuestVariant::read(&m.memory, a2)?.word())?;
            let index = GuestVariant::read(&m.memory, a2 + 24)?.word() as i64;
            if child.get_parent().is_none_or(|p| p != target) {
                return Err(refused("move_child: not a child of this node"));
            }
            let count = target.get_child_count() as i64;
            if !(-count..=count).contains(&index) {
                return Err(refused(format!("move_child: index {index} is outside the {count} children")));
            }
            target.move_child(&child, index as i32);
        }
        op::GET_CHILDREN => {
            let children: Vec<Gd<Node>> = target.get_children().iter_shared().collect();
            let mut bytes = Vec::with_capacity(children.len() * 8);
            for child in children {
                let allowed = m.data.restrictions.allows_object(&child.clone().upcast());
                bytes.extend_from_slice(&handle_of(m, allowed.then_some(child))?.to_le_bytes());
            }
            write_std_vector(m, a2, &bytes)?;
        }
        op::SET_NAME => {
            let name = read_variant(m, a2)?;
            let name = text_of(m, &name)?;
            target.set_name(&StringName::from(&name));
        }
        op::REPARENT => {
            let parent = node(m, a2)?;
            check_tree_change("reparent", &target, &parent)?;
            with_reentry(m, || target.reparent_ex(&parent).keep_global_transform(a3 != 0).done());
        }
        op::REPLACE_BY => {
            let replacement = node(m, a2)?;
            check_tree_change("replace_by", &target, &replacement)?;
            with_reentry(m, || target.replace_by_ex(&replacement).keep_groups(a3 != 0).done());
        }
        op::ADD_TO_GROUP | op::REMOVE_FROM_GROUP | op::IS_IN_GROUP => {
            let group = read_str(m, a2, a3)?;
            match operation {
                op::ADD_TO_GROUP => target.add_to_group(&group),
                op::REMOVE_FROM_GROUP => target.remove_from_group(&group),
                _ => {
                    let is_in = target.is_in_group(&group);
                    m.memory.write_u8(a4, is_in as u8)?;
                }
            }
        }
        op::IS_INSIDE_TREE => m.memory.write_u8(a2, target.is_inside_tree() as u8)?,
        other => return Err(refused(format!("invalid Node operation {other}"))),
    }
    Ok(())
}

/// The method (or property) a Node_Op amounts to, checked against the restrictions.
fn check_node_op(m: &Vm, target: &Gd<Node>, operation: u64) -> HostResult {
    let rules = &m.data.restrictions;
    let obj: Gd<Object> = target.clone().upcast();
    let method = match operation {
        op::GET_NAME | op::SET_NAME => return Ok(rules.check_property(&obj, "name", operation == op::SET_NAME)?),
        op::GET_PATH => "get_path",
        op::GET_PARENT => "get_parent",
        op::QUEUE_FREE => "queue_free",
        op::DUPLICATE => "duplicate",
        op::GET_CHILD_COUNT => "get_child_count",
        op::GET_CHILD => "get_child",
        op::ADD_CHILD | op::ADD_CHILD_DEFERRED => "add_child",
        op::ADD_SIBLING | op::ADD_SIBLING_DEFERRED => "add_sibling",
        op::MOVE_CHILD => "move_child",
        op::REMOVE_CHILD | op::REMOVE_CHILD_DEFERRED => "remove_child",
        op::GET_CHILDREN => "get_children",
        op::REPARENT => "reparent",
        op::REPLACE_BY => "replace_by",
        op::ADD_TO_GROUP => "add_to_group",
        op::REMOVE_FROM_GROUP => "remove_from_group",
        op::IS_IN_GROUP => "is_in_group",
        op::IS_INSIDE_TREE => "is_inside_tree",
        _ => return Ok(()),
    };
    Ok(rules.check_method(&obj, method)?)
}

/// 532 NODE_CREATE: a0 = kind (0 ClassDB, 1 Node, 2 Node2D, 3 Node3D), a1/a2 = class name
/// (for ClassDB), a3/a4 = node name (may be empty). a0 = handle of the new object.
pub fn node_create(m: &mut Vm) -> HostResult {
    let kind = m.sysarg(0);
    let name = read_str(m, m.sysarg(3), m.sysarg(4))?;
    let created: Gd<Object> = match kind {
        0 => {
            let class = read_str(m, m.sysarg(1), m.sysarg(2))?;
            let class = class.trim_end_matches('\0');
            m.data.restrictions.check_class(class)?;
            let class = StringName::from(class);
            let db = ClassDb::singleton();
            if !db.class_exists(&class) || !db.can_instantiate(&class) {
                return Err(refused(format!("NODE_CREATE: cannot instantiate class '{class}'")));
            }
            db.instantiate(&class)
                .try_to::<Gd<Object>>()
                .map_err(|_| refused(format!("NODE_CREATE: creating '{class}' failed")))?
        }
        1..=3 => {
            let class = ["Node", "Node2D", "Node3D"][kind as usize - 1];
            m.data.restrictions.check_class(class)?;
            match kind {
                1 => Node::new_alloc().upcast(),
                2 => Node2D::new_alloc().upcast(),
                _ => Node3D::new_alloc().upcast(),
            }
        }
        other => return Err(refused(format!("invalid NODE_CREATE kind {other}"))),
    };
    if !name.is_empty() {
        if let Ok(mut node) = created.clone().try_cast::<Node>() {
            node.set_name(&name);
        }
    }
    match m.data.refs.object_handle(&created) {
        Ok(handle) => {
            m.set_result(handle);
            Ok(())
        }
        Err(error) => {
            // Nobody else has the object: left alone, a Node would never be freed.
            if let Err(object) = created.try_cast::<RefCounted>() {
                object.free();
            }
            Err(error.into())
        }
    }
}
