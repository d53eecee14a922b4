//! Translation of one [`Region`] into one Cranelift function, and the compiler that owns the
//! target description and the generated code.
//!
//! Every region function has the signature `fn(context) -> exit code` in Cranelift's `tail`
//! calling convention, so that regions can tail-call each other; Rust enters them through a
//! trampoline in the host's C convention.

use std::sync::atomic::AtomicUsize;

use cranelift_codegen::control::ControlPlane;
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::types::{I32, I64, I8};
use cranelift_codegen::ir::{
    AbiParam, Block, Function, InstBuilder, MemFlagsData, SigRef, Signature, UserFuncName, Value,
};
use cranelift_codegen::isa::{CallConv, OwnedTargetIsa, TargetFrontendConfig};
use cranelift_codegen::settings::{self, Configurable};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext, Variable};

use super::executable::ExecutableMemory;
use super::float;
use super::region::{End, Region, Segment};
use super::{context, exit_code, run_handler, NOT_FROM_INTERPRETER};
use crate::cpu::code::Code;
use crate::cpu::i::Fast;
use crate::cpu::{layout, Insn};

mod instructions;

/// Owns the target description, Cranelift's scratch state and the generated code of a program.
pub(crate) struct Compiler {
    isa: OwnedTargetIsa,
    codegen: cranelift_codegen::Context,
    builder: FunctionBuilderContext,
    trampoline: usize,
}

impl Compiler {
    /// A compiler for the host, or `None` if Cranelift has no back end for it.
    /// A compiler for the host, or `None` if the JIT does not support it (only x86-64 is
    /// supported: the floating-point flags come from MXCSR, and generated code is never
    /// checked against other hosts' page sizes and instruction caches).
    pub fn new(memory: &mut ExecutableMemory) -> Option<Compiler> {
        if !super::native_code_supported() {
            return None;
        }
        let mut flags = settings::builder();
        // Cranelift's mid-end optimisations cost a third of the compile time and gain little on
        // this code (bench/run: same run times); its register allocator is what pays.
        flags.set("opt_level", "none").ok()?;
        // RISC-V's canonical NaN is Cranelift's.
        flags.set("enable_nan_canonicalization", "true").ok()?;
        flags.set("enable_verifier", if cfg!(debug_assertions) { "true" } else { "false" }).ok()?;
        // Cranelift's tail calls (how regions chain) rely on frame pointers.
        flags.set("preserve_frame_pointers", "true").ok()?;
        let isa = cranelift_native::builder().ok()?.finish(settings::Flags::new(flags)).ok()?;
        // Guest memory is little-endian and generated code loads it directly.
        if isa.endianness() != cranelift_codegen::ir::Endianness::Little || isa.pointer_type() != I64 {
            return None;
        }
        let mut compiler = Compiler {
            isa,
            codegen: cranelift_codegen::Context::new(),
            builder: FunctionBuilderContext::new(),
            trampoline: 0,
        };
        compiler.trampoline = compiler.build_trampoline(memory)?;
        Some(compiler)
    }

    /// The address of `extern "C" fn(region: usize, context: *mut Context) -> u32`, which calls
    /// the region function with the context.
    pub fn trampoline(&self) -> usize {
        self.trampoline
    }

    fn build_trampoline(&mut self, memory: &mut ExecutableMemory) -> Option<usize> {
        let mut signature = Signature::new(self.isa.default_call_conv());
        signature.params.extend([AbiParam::new(I64), AbiParam::new(I64)]);
        signature.returns.push(AbiParam::new(I32));
        let mut function = Function::with_name_signature(UserFuncName::default(), signature);
        let mut b = FunctionBuilder::new(&mut function, &mut self.builder);
        let block = b.create_block();
        b.append_block_params_for_function_params(block);
        b.switch_to_block(block);
        let (region, context) = (b.block_params(block)[0], b.block_params(block)[1]);
        let region_signature = b.import_signature(region_signature());
        let call = b.ins().call_indirect(region_signature, region, &[context]);
        let code = b.inst_results(call)[0];
        b.ins().return_(&[code]);
        b.seal_all_blocks();
        b.finalize(self.isa.frontend_config());
        self.finish(function, memory)
    }

    /// Compiles the region starting at `slot`; the address of its function and whether the
    /// interpreter should enter it (see [`Region::worth_entering`]; other regions still serve
    /// as targets of jumps from native code). `None` if the region leaves at once, or
    /// compilation failed.
    pub fn compile(
        &mut self,
        code: &Code,
        entries: &[AtomicUsize],
        slot: usize,
        has_run: impl Fn(usize) -> bool,
        memory: &mut ExecutableMemory,
    ) -> Option<(usize, bool)> {
        let region = Region::discover(code, slot, has_run);
        if region.segments[0].instructions() == 0 {
            return None;
        }
        let mut function = Function::with_name_signature(UserFuncName::default(), region_signature());
        let b = FunctionBuilder::new(&mut function, &mut self.builder);
        let host = Host { fma: self.isa.has_native_fma(), call_conv: self.isa.default_call_conv() };
        Translator::new(b, code, &region, entries, host).translate(self.isa.frontend_config());
        Some((self.finish(function, memory)?, region.worth_entering(code)))
    }

    /// Compiles a built function and installs its code; `None` if it needs relocations (it
    /// never should: every address it uses is a constant) or compilation failed.
    fn finish(&mut self, function: Function, memory: &mut ExecutableMemory) -> Option<usize> {
        self.codegen.clear();
        self.codegen.func = function;
        let compiled = self.codegen.compile(&*self.isa, &mut ControlPlane::default()).ok()?;
        if !compiled.buffer.relocs().is_empty() {
            return None;
        }
        let code = compiled.code_buffer().to_vec();
        memory.install(&code).map(|start| start.as_ptr() as usize)
    }
}

/// `fn(context: i64) -> i32` in the `tail` convention: every region function.
fn region_signature() -> Signature {
    let mut signature = Signature::new(CallConv::Tail);
    signature.params.push(AbiParam::new(I64));
    signature.returns.push(AbiParam::new(I32));
    signature
}

/// Flags for loads and stores of the context and the CPU: always valid and aligned.
fn trusted() -> MemFlagsData {
    MemFlagsData::trusted()
}

/// Flags for guest memory: checked before the access, but possibly unaligned.
fn guest() -> MemFlagsData {
    MemFlagsData::new().with_notrap()
}

/// A set of integer registers `x1..x31` as a bit mask.
#[derive(Clone, Copy, Default)]
struct Registers(u32);

impl Registers {
    fn add(&mut self, r: u8) {
        if (1..32).contains(&r) {
            self.0 |= 1 << r;
        }
    }
    fn contains(self, r: u8) -> bool {
        r < 32 && self.0 & (1 << r) != 0
    }
    fn iter(self) -> impl Iterator<Item = u8> {
        (1..32u8).filter(move |&r| self.contains(r))
    }
}

/// The integer registers a region reads or writes (loaded on entry), and whether it runs any
/// floating-point operation natively.
fn registers_of(code: &Code, region: &Region) -> (Registers, bool) {
    let mut used = Registers::default();
    let mut floats = false;
    for segment in &region.segments {
        let transfer = match segment.end {
            End::Transfer(slot) => Some(slot),
            _ => None,
        };
        for &slot in segment.body.iter().chain(transfer.iter()) {
            let insn = code.at(slot);
            used.add(insn.rs1);
            used.add(insn.rs2);
            used.add(insn.rd);
            floats |= float::recognise(insn.raw).is_some();
        }
    }
    (used, floats)
}

/// Values every part of a region needs, loaded once on entry.
struct Limits {
    budget_end: Value,
    /// Where the guest may read: addresses `a` with `a - read_start <= read_last` (unsigned).
    read_start: Value,
    read_last: Value,
    /// Where the guest may write, in the same form.
    write_start: Value,
    write_last: Value,
}

/// What translation needs to know of the host.
struct Host {
    /// Whether it has a fused multiply-add.
    fma: bool,
    /// Its C calling convention, which Rust's `extern "C"` helpers use.
    call_conv: CallConv,
}

/// Builds the function for one region.
struct Translator<'a> {
    b: FunctionBuilder<'a>,
    code: &'a Code,
    region: &'a Region,
    entries: &'a [AtomicUsize],
    /// The Cranelift block of each segment.
    blocks: Vec<Block>,
    /// Integer registers `x1..x31` (index 0 unused: `x0` is the constant 0).
    x: [Variable; 32],
    /// The retired-instruction count.
    instructions: Variable,
    /// Registers written since the last sync point, whose values are only in their variables.
    /// Sync points store them to the CPU: before every access to guest memory and handler call
    /// and at the end of every segment. So at every exit, the CPU holds all registers.
    dirty: Registers,
    context: Value,
    cpu: Value,
    host_base: Value,
    limits: Limits,
    /// Whether the host has a fused multiply-add.
    fma: bool,
    region_signature: SigRef,
    handler_signature: SigRef,
}

impl<'a> Translator<'a> {
    /// Starts the function: its entry block loads what the region uses and jumps to the first
    /// segment.
    fn new(
        mut b: FunctionBuilder<'a>,
        code: &'a Code,
        region: &'a Region,
        entries: &'a [AtomicUsize],
        host: Host,
    ) -> Self {
        let (used, floats) = registers_of(code, region);
        let x: [Variable; 32] = std::array::from_fn(|_| b.declare_var(I64));
        let instructions = b.declare_var(I64);
        let region_signature = b.import_signature(region_signature());
        let mut handler = Signature::new(host.call_conv);
        handler.params.extend([AbiParam::new(I64), AbiParam::new(I64)]);
        handler.returns.push(AbiParam::new(I32));
        let handler_signature = b.import_signature(handler);
        let blocks: Vec<Block> = region.segments.iter().map(|_| b.create_block()).collect();

        let entry = b.create_block();
        b.append_block_params_for_function_params(entry);
        b.switch_to_block(entry);
        let context = b.block_params(entry)[0];
        let cpu = b.ins().load(I64, trusted(), context, context::CPU);
        let host_base = b.ins().load(I64, trusted(), context, context::HOST_BASE);
        let mut load = |offset| b.ins().load(I64, trusted(), context, offset);
        let (budget_end, read_start, read_span, write_start, write_span) = (
            load(context::BUDGET_END),
            load(context::READ_START),
            load(context::READ_SPAN),
            load(context::WRITE_START),
            load(context::WRITE_SPAN),
        );
        // One limit for accesses of every size: `Jit::enter` made sure that `span >= 8`. An
        // access of fewer bytes in the last 7 of memory leaves to the interpreter, which does it.
        let read_last = b.ins().iadd_imm_s(read_span, -8);
        let write_last = b.ins().iadd_imm_s(write_span, -8);
        let limits = Limits { budget_end, read_start, read_last, write_start, write_last };
        for r in used.iter() {
            let value = b.ins().load(I64, trusted(), cpu, layout::x(r));
            b.def_var(x[r as usize], value);
        }
        let count = b.ins().load(I64, trusted(), cpu, layout::INSTRUCTIONS);
        b.def_var(instructions, count);
        if floats {
            // The first region of an entry that runs floating point sets the host up for it; if
            // the guest's rounding mode rules native arithmetic out, the interpreter runs this.
            let ready = b.ins().load(I8, trusted(), context, context::FLOATS);
            let (prepare, back) = (b.create_block(), b.create_block());
            b.set_cold_block(prepare);
            b.set_cold_block(back);
            b.ins().brif(ready, blocks[0], &[], prepare, &[]);
            b.switch_to_block(prepare);
            let mut signature = Signature::new(host.call_conv);
            signature.params.push(AbiParam::new(I64));
            signature.returns.push(AbiParam::new(I32));
            let signature = b.import_signature(signature);
            let function = b.ins().iconst(I64, context::prepare_floats() as i64);
            let call = b.ins().call_indirect(signature, function, &[context]);
            let prepared = b.inst_results(call)[0];
            b.ins().brif(prepared, blocks[0], &[], back, &[]);
            b.switch_to_block(back);
            let code = b.ins().iconst(I32, exit_code::INTERPRET as i64);
            b.ins().return_(&[code]);
        } else {
            b.ins().jump(blocks[0], &[]);
        }
        Translator {
            b,
            code,
            region,
            entries,
            blocks,
            x,
            instructions,
            dirty: Registers::default(),
            context,
            cpu,
            host_base,
            limits,
            fma: host.fma,
            region_signature,
            handler_signature,
        }
    }

    fn translate(mut self, config: TargetFrontendConfig) {
        for (index, segment) in self.region.segments.iter().enumerate() {
            self.b.switch_to_block(self.blocks[index]);
            self.segment(segment);
        }
        self.b.seal_all_blocks();
        self.b.finalize(config);
    }

    fn segment(&mut self, segment: &Segment) {
        // Every way into a segment has synced the registers.
        self.dirty = Registers::default();
        let count = segment.instructions();
        if count > 0 {
            // Charge the whole segment first; if the budget does not cover it, the interpreter
            // runs what is left of it.
            let before = self.b.use_var(self.instructions);
            // `budget_end - before` cannot wrap: native code is entered only at or below the
            // budget's end (see `Jit::enter`) and charges only what fits.
            let left = self.b.ins().isub(self.limits.budget_end, before);
            let over = self.b.ins().icmp_imm_u(IntCC::UnsignedLessThan, left, count as i64);
            let after = self.b.ins().iadd_imm_s(before, count as i64);
            let pc = self.code.pc_of(segment.start);
            self.exit_if(over, exit_code::INTERPRET, pc, 0);
            self.b.def_var(self.instructions, after);
        }
        // The instruction count at index `k` of the segment, relative to the charged count.
        let uncharged = |k: usize| -(count as i64 - k as i64);
        for (k, &slot) in segment.body.iter().enumerate() {
            self.instruction(slot, uncharged(k));
        }
        match segment.end {
            End::Goto(pc) => {
                self.sync();
                self.goto(pc)
            }
            End::Interpret(pc) => {
                self.sync();
                self.exit(exit_code::INTERPRET, pc, 0)
            }
            End::Transfer(slot) => self.transfer(slot),
        }
    }

    fn reg(&mut self, r: u8) -> Value {
        if r == 0 || r >= 32 {
            self.b.ins().iconst(I64, 0)
        } else {
            self.b.use_var(self.x[r as usize])
        }
    }

    /// Writes integer register `rd` (writes to `x0`, decoded as the sink, vanish).
    fn set(&mut self, rd: u8, value: Value) {
        if (1..32).contains(&rd) {
            self.b.def_var(self.x[rd as usize], value);
            self.dirty.add(rd);
        }
    }

    fn constant(&mut self, value: u64) -> Value {
        self.b.ins().iconst(I64, value as i64)
    }

    /// A sync point: stores the registers written since the last one to the CPU.
    fn sync(&mut self) {
        for r in std::mem::take(&mut self.dirty).iter() {
            let value = self.b.use_var(self.x[r as usize]);
            self.b.ins().store(trusted(), value, self.cpu, layout::x(r));
        }
    }

    /// Stores `pc` and the instruction count (adjusted by `uncharged`) and returns `code`. The
    /// registers are in the CPU already: exits happen only right after sync points.
    fn exit(&mut self, code: u32, pc: u64, uncharged: i64) {
        let pc = self.constant(pc);
        self.exit_to(code, pc, uncharged);
    }

    fn exit_to(&mut self, code: u32, pc: Value, uncharged: i64) {
        let count = self.b.use_var(self.instructions);
        let count = self.b.ins().iadd_imm_s(count, uncharged);
        self.b.ins().store(trusted(), count, self.cpu, layout::INSTRUCTIONS);
        self.b.ins().store(trusted(), pc, self.cpu, layout::PC);
        let code = self.b.ins().iconst(I32, code as i64);
        self.b.ins().return_(&[code]);
    }

    /// Leaves with `code` at `pc` when `condition` holds; continues in a new block otherwise.
    fn exit_if(&mut self, condition: Value, code: u32, pc: u64, uncharged: i64) {
        let (leave, stay) = (self.b.create_block(), self.b.create_block());
        self.b.set_cold_block(leave);
        self.b.ins().brif(condition, leave, &[], stay, &[]);
        self.b.switch_to_block(leave);
        self.exit(code, pc, uncharged);
        self.b.switch_to_block(stay);
    }

    /// Continues at the static address `pc`: a native jump inside the region, a tail call to
    /// the region compiled there, or a return to the dispatch loop.
    fn goto(&mut self, pc: u64) {
        let slot = self.code.slot(pc);
        if let Some(segment) = slot.and_then(|slot| self.region.segment_at(slot)) {
            self.b.ins().jump(self.blocks[segment], &[]);
            return;
        }
        let pc = self.constant(pc);
        match slot {
            Some(slot) => {
                let entry = self.constant(&self.entries[slot] as *const AtomicUsize as u64);
                self.chain(pc, entry);
            }
            None => self.exit_to(exit_code::JUMP, pc, 0),
        }
    }

    /// Continues at the address `pc` computed at run time (even, from `jalr`).
    fn goto_dynamic(&mut self, pc: Value) {
        let base = self.code.pc_of(0);
        let offset = self.b.ins().iadd_imm_s(pc, base.wrapping_neg() as i64);
        let slot = self.b.ins().ushr_imm_s(offset, 1);
        let inside = self.b.ins().icmp_imm_s(IntCC::UnsignedLessThan, slot, self.entries.len() as i64);
        let (lookup, outside) = (self.b.create_block(), self.b.create_block());
        self.b.ins().brif(inside, lookup, &[], outside, &[]);
        self.b.switch_to_block(outside);
        self.exit_to(exit_code::JUMP, pc, 0);
        self.b.switch_to_block(lookup);
        let table = self.constant(self.entries.as_ptr() as u64);
        let offset = self.b.ins().ishl_imm_s(slot, 3);
        let entry = self.b.ins().iadd(table, offset);
        self.chain(pc, entry);
    }

    /// Leaves for `pc`: tail-calls the function whose address is stored at `entry` (a slot of
    /// the entry table) if there is one, returns to the dispatch loop otherwise.
    fn chain(&mut self, pc: Value, entry: Value) {
        // The state is stored either way: the next region loads it afresh.
        let count = self.b.use_var(self.instructions);
        self.b.ins().store(trusted(), count, self.cpu, layout::INSTRUCTIONS);
        self.b.ins().store(trusted(), pc, self.cpu, layout::PC);
        // A plain load of a word that other threads write atomically: aligned word loads are
        // atomic on every host Cranelift supports.
        let tagged = self.b.ins().load(I64, trusted(), entry, 0);
        let function = self.b.ins().band_imm_s(tagged, !(NOT_FROM_INTERPRETER as i64));
        let (call, back) = (self.b.create_block(), self.b.create_block());
        self.b.ins().brif(function, call, &[], back, &[]);
        self.b.switch_to_block(call);
        self.b.ins().return_call_indirect(self.region_signature, function, &[self.context]);
        self.b.switch_to_block(back);
        let code = self.b.ins().iconst(I32, exit_code::JUMP as i64);
        self.b.ins().return_(&[code]);
    }

    /// The host address of an access of `len` bytes at `x[rs1] + imm`; leaves to the
    /// interpreter (which reports the fault) if it is outside what the guest may touch.
    fn address(&mut self, insn: &Insn, pc: u64, write: bool, uncharged: i64) -> Value {
        // A fault leaves from here, with the registers in the CPU.
        self.sync();
        let (start, last) = match write {
            true => (self.limits.write_start, self.limits.write_last),
            false => (self.limits.read_start, self.limits.read_last),
        };
        let base = self.reg(insn.rs1);
        let addr = self.b.ins().iadd_imm_s(base, insn.imm as i64);
        // As in `Memory`: `addr - start` wraps for addresses below `start`, so one compare
        // covers both ends.
        let offset = self.b.ins().isub(addr, start);
        let outside = self.b.ins().icmp(IntCC::UnsignedGreaterThan, offset, last);
        self.exit_if(outside, exit_code::INTERPRET, pc, uncharged);
        self.b.ins().iadd(self.host_base, addr)
    }

    /// Runs an instruction through its interpreter handler.
    fn call_handler(&mut self, slot: usize, uncharged: i64) {
        let insn: &'a Insn = self.code.at(slot);
        let pc = self.code.pc_of(slot);
        // The handler reads its sources from the CPU, and a trap leaves from here.
        self.sync();
        let handler = self.constant(run_handler as *const () as u64);
        let insn_address = self.constant(insn as *const Insn as u64);
        let call = self.b.ins().call_indirect(self.handler_signature, handler, &[self.context, insn_address]);
        let code = self.b.inst_results(call)[0];
        let (leave, stay) = (self.b.create_block(), self.b.create_block());
        self.b.set_cold_block(leave);
        self.b.ins().brif(code, leave, &[], stay, &[]);
        self.b.switch_to_block(leave);
        let count = self.b.use_var(self.instructions);
        let count = self.b.ins().iadd_imm_s(count, uncharged);
        self.b.ins().store(trusted(), count, self.cpu, layout::INSTRUCTIONS);
        let pc = self.constant(pc);
        self.b.ins().store(trusted(), pc, self.cpu, layout::PC);
        self.b.ins().return_(&[code]);
        self.b.switch_to_block(stay);
        if (1..32).contains(&insn.rd) {
            let value = self.b.ins().load(I64, trusted(), self.cpu, layout::x(insn.rd));
            self.b.def_var(self.x[insn.rd as usize], value);
        }
    }

    /// A branch, `jal` or `jalr`, ending a segment.
    fn transfer(&mut self, slot: usize) {
        let insn = *self.code.at(slot);
        let pc = self.code.pc_of(slot);
        let next = pc.wrapping_add(insn.len());
        let target = pc.wrapping_add(insn.imm as i64 as u64);
        use Fast::*;
        let cc = match insn.fast.uncompressed() {
            Jal => {
                let link = self.constant(next);
                self.set(insn.rd, link);
                self.sync();
                return self.goto(target);
            }
            Jalr => {
                let base = self.reg(insn.rs1);
                let sum = self.b.ins().iadd_imm_s(base, insn.imm as i64);
                let target = self.b.ins().band_imm_s(sum, !1);
                let link = self.constant(next);
                self.set(insn.rd, link);
                self.sync();
                return self.goto_dynamic(target);
            }
            Beq => IntCC::Equal,
            Bne => IntCC::NotEqual,
            Blt => IntCC::SignedLessThan,
            Bge => IntCC::SignedGreaterThanOrEqual,
            Bltu => IntCC::UnsignedLessThan,
            _ => IntCC::UnsignedGreaterThanOrEqual,
        };
        self.sync();
        let (a, b) = (self.reg(insn.rs1), self.reg(insn.rs2));
        let taken = self.b.ins().icmp(cc, a, b);
        let (yes, no) = (self.b.create_block(), self.b.create_block());
        self.b.ins().brif(taken, yes, &[], no, &[]);
        self.b.switch_to_block(yes);
        self.goto(target);
        self.b.switch_to_block(no);
        self.goto(next);
    }
}
