//! Differential instruction fuzzer: random RV64GC (+Zba/Zbb/Zbs) sequences run under
//! `rvsandbox run` (interpreted, and compiled to native code) and `qemu-riscv64`; the final integer
//! and float registers, and a scratch buffer in memory, must match bit for bit.
//!
//! Each case is a generated assembler file: `_start` loads all registers from seeded values, runs the
//! sequence, stores x1..x31 and f0..f31 (raw bits) to memory, writes them and the scratch buffer to
//! stdout (syscall 64) and exits (syscall 93). x31 points into the scratch buffer and is never
//! written by the sequence: loads, stores and atomics (AMOs, and LR/SC pairs) address the buffer
//! through it, never a random address.
//! Control flow only goes forward (branches and jumps, direct and through a register), except in
//! counted loops and in calls of subroutines that return, so every program ends. The only CSR accesses are `fsrmi` (a new dynamic
//! rounding mode, any of the five) and the final `frcsr`.
//!
//! One flavour of programs (a sixth of the seeds) also accesses memory around the edges of what
//! the guest may touch: the end of guest memory, the start of the image, read-only code, address
//! 0 and addresses that wrap. qemu's process has other memory around those edges, so for these
//! programs the interpreter is the reference: native code must end the same way, with the same
//! registers or the same fault (address, kind and `pc`).
//!
//! On a mismatch the case is shrunk to the shortest failing prefix; the report names the seed, the
//! culprit instruction, its operand values before it ran, and the differing registers.
//!
//! Environment:
//!   RVSANDBOX_FUZZ_CASES=N   number of programs (default 40)
//!   RVSANDBOX_FUZZ_LEN=N     instructions per program (default 200)
//!   RVSANDBOX_FUZZ_SEED=S    seed of the first case (decimal or 0x-hex); case i uses S+i, so a
//!                            reported seed reproduces with RVSANDBOX_FUZZ_SEED=<seed> RVSANDBOX_FUZZ_CASES=1
//!   RVSANDBOX_BIN=path       test another runner in place of the built `rvsandbox`

mod support;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;
use support::*;

const DEFAULT_CASES: usize = 40;
const DEFAULT_LEN: usize = 200;
const DEFAULT_SEED: u64 = 0x5EED_0000;
const MAX_REPORTED_FAILURES: usize = 3;
const RUN_TIMEOUT: Duration = Duration::from_secs(60);
const MARCH: &str = "-march=rv64gc_zba_zbb_zbs";
/// The ways `rvsandbox` runs guest code (the interpreter first: it is the fault flavour's
/// reference): the interpreter; native code compiled before the first
/// run, so that the single pass through each case is native; and native code compiled once a
/// block has run twice, so that loops move from the interpreter into native code part-way.
const EXECUTION_MODES: &[&[&str]] = &[&["--interpret"], &["--compile-after", "0"], &["--compile-after", "2"]];

// ------------------------------------------------------------------ PRNG

/// xorshift64*, seeded through splitmix64 so that nearby seeds give unrelated streams.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        Rng(if z == 0 { 1 } else { z })
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    /// Uniform in lo..=hi.
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as u64) as i64
    }
    fn percent(&mut self, p: u64) -> bool {
        self.below(100) < p
    }
    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }
}

// ------------------------------------------------------------------ initial register values

fn interesting_int(rng: &mut Rng) -> u64 {
    const SPECIAL: &[u64] = &[
        0,
        1,
        2,
        u64::MAX,
        i64::MIN as u64,
        i64::MAX as u64,
        0x7fff_ffff,
        0x8000_0000,
        0xffff_ffff,
        0xffff_ffff_8000_0000,
        0x1_0000_0000,
        0x8000,
        0xffff,
        0xff,
        0x80,
        0x0101_0101_0101_0101,
        0x8000_0000_0000_0001,
    ];
    match rng.below(10) {
        0..=3 => rng.pick(SPECIAL),
        4..=5 => rng.range(-40, 40) as u64,
        6 => rng.next() as u32 as i32 as i64 as u64,
        7 => (rng.next() & 0xffff) << (rng.below(48)),
        _ => rng.next(),
    }
}

fn interesting_f64(rng: &mut Rng) -> u64 {
    const SPECIAL: &[u64] = &[
        0x0000_0000_0000_0000, // +0
        0x8000_0000_0000_0000, // -0
        0x7ff0_0000_0000_0000, // +inf
        0xfff0_0000_0000_0000, // -inf
        0x7ff8_0000_0000_0000, // canonical qNaN
        0xfff8_0000_0000_0001, // negative qNaN with payload
        0x7ff4_0000_0000_0000, // sNaN
        0x0000_0000_0000_0001, // min subnormal
        0x000f_ffff_ffff_ffff, // max subnormal
        0x0010_0000_0000_0000, // min normal
        0x7fef_ffff_ffff_ffff, // max
        0xffef_ffff_ffff_ffff, // -max
        0x43e0_0000_0000_0000, // 2^63
        0xc3e0_0000_0000_0000, // -2^63
        0x41e0_0000_0000_0000, // 2^31
        0x41f0_0000_0000_0000, // 2^32
        0x4340_0000_0000_0001, // 2^53 + 2
    ];
    match rng.below(10) {
        0..=2 => rng.pick(SPECIAL),
        3..=6 => {
            // Small values with a fraction that exercises rounding: k/4 and k/3.
            let k = rng.range(-600, 600) as f64;
            let v = if rng.percent(50) { k / 4.0 } else { k / 3.0 };
            v.to_bits()
        }
        7 => (rng.range(-1_000_000, 1_000_000) as f64 * 2f64.powi(rng.range(-60, 60) as i32)).to_bits(),
        _ => rng.next(),
    }
}

fn interesting_f32(rng: &mut Rng) -> u32 {
    const SPECIAL: &[u32] = &[
        0x0000_0000,
        0x8000_0000,
        0x7f80_0000,
        0xff80_0000,
        0x7fc0_0000,
        0xffc0_0001,
        0x7fa0_0000,
        0x0000_0001,
        0x007f_ffff,
        0x0080_0000,
        0x7f7f_ffff,
        0xff7f_ffff,
        0x5f00_0000, // 2^63
        0x4f00_0000, // 2^31
        0x4f80_0000, // 2^32
        0xcf00_0000, // -2^31
    ];
    match rng.below(10) {
        0..=2 => rng.pick(SPECIAL),
        3..=6 => {
            let k = rng.range(-600, 600) as f32;
            (if rng.percent(50) { k / 4.0 } else { k / 3.0 }).to_bits()
        }
        7 => (rng.range(-100_000, 100_000) as f32 * 2f32.powi(rng.range(-30, 30) as i32)).to_bits(),
        _ => rng.next() as u32,
    }
}

/// A float register value: a double, a properly NaN-boxed single, or (rarely) a badly boxed single.
fn interesting_freg(rng: &mut Rng) -> u64 {
    match rng.below(10) {
        0..=4 => interesting_f64(rng),
        5..=8 => 0xffff_ffff_0000_0000 | interesting_f32(rng) as u64,
        _ => (rng.next() & 0xffff_ffff_0000_0000) | interesting_f32(rng) as u64,
    }
}

// ------------------------------------------------------------------ instruction generation

/// The sequence may read x0..x30 and write x1..x30 (x0 occasionally); x31 is the scratch base.
fn xs(rng: &mut Rng) -> String {
    format!("x{}", rng.below(31))
}
fn xd(rng: &mut Rng) -> String {
    if rng.percent(2) {
        "x0".into()
    } else {
        format!("x{}", 1 + rng.below(30))
    }
}
/// Non-zero register for compressed forms.
fn xnz(rng: &mut Rng) -> String {
    format!("x{}", 1 + rng.below(30))
}
/// x8..x15 for the three-bit register fields of compressed forms.
fn xc(rng: &mut Rng) -> String {
    format!("x{}", 8 + rng.below(8))
}
fn fr(rng: &mut Rng) -> String {
    format!("f{}", rng.below(32))
}
fn imm12(rng: &mut Rng) -> i64 {
    match rng.below(4) {
        0 => rng.range(-4, 4),
        1 => rng.pick(&[-2048, 2047, -1, 0, 1, 0x7ff, -0x800, 0x555]),
        _ => rng.range(-2048, 2047),
    }
}

const INT_RR: &[&str] = &[
    "add",
    "sub",
    "sll",
    "slt",
    "sltu",
    "xor",
    "srl",
    "sra",
    "or",
    "and",
    "addw",
    "subw",
    "sllw",
    "srlw",
    "sraw", // I
    "mul",
    "mulh",
    "mulhsu",
    "mulhu",
    "div",
    "divu",
    "rem",
    "remu",
    "mulw",
    "divw",
    "divuw",
    "remw",
    "remuw", // M
    "add.uw",
    "sh1add",
    "sh2add",
    "sh3add",
    "sh1add.uw",
    "sh2add.uw",
    "sh3add.uw", // Zba
    "andn",
    "orn",
    "xnor",
    "max",
    "maxu",
    "min",
    "minu",
    "rol",
    "rolw",
    "ror",
    "rorw", // Zbb
    "bclr",
    "bext",
    "binv",
    "bset", // Zbs
];
// No `ctzw`: Debian 12's qemu 7.2 returns ctz of the whole register when the low 32 bits are zero
// (63 for 1 << 63, where the specification says 32). Its unit test in rust/vm/src/cpu/zb.rs pins
// the specified behaviour instead.
const INT_UNARY: &[&str] = &["clz", "clzw", "ctz", "cpop", "cpopw", "sext.b", "sext.h", "zext.h", "orc.b", "rev8"];
const INT_IMM: &[&str] = &["addi", "slti", "sltiu", "xori", "ori", "andi", "addiw"];
const INT_SHIFT64: &[&str] = &["slli", "srli", "srai", "rori", "bclri", "bexti", "binvi", "bseti", "slli.uw"];
const INT_SHIFT32: &[&str] = &["slliw", "srliw", "sraiw", "roriw"];

fn gen_int(rng: &mut Rng) -> String {
    match rng.below(20) {
        0..=8 => format!("{} {}, {}, {}", rng.pick(INT_RR), xd(rng), xs(rng), xs(rng)),
        9..=10 => format!("{} {}, {}", rng.pick(INT_UNARY), xd(rng), xs(rng)),
        11..=14 => format!("{} {}, {}, {}", rng.pick(INT_IMM), xd(rng), xs(rng), imm12(rng)),
        15..=16 => format!("{} {}, {}, {}", rng.pick(INT_SHIFT64), xd(rng), xs(rng), rng.below(64)),
        17 => format!("{} {}, {}, {}", rng.pick(INT_SHIFT32), xd(rng), xs(rng), rng.below(32)),
        18 => format!("lui {}, {:#x}", xd(rng), rng.below(1 << 20)),
        _ => format!("auipc {}, {:#x}", xd(rng), rng.below(1 << 20)),
    }
}

/// Arithmetic rounding: the dynamic mode (whatever the last `fsrmi` set) or any static one.
fn arith_rm(rng: &mut Rng) -> &'static str {
    rng.pick(&["", "", ", rne", ", dyn", ", rtz", ", rdn", ", rup", ", rmm"])
}
/// Conversions use every static mode (and dynamic).
fn cvt_rm(rng: &mut Rng) -> &'static str {
    rng.pick(&[", rne", ", rtz", ", rdn", ", rup", ", rmm", ""])
}

fn gen_float(rng: &mut Rng) -> String {
    let fmt = if rng.percent(50) { "s" } else { "d" };
    // A new dynamic rounding mode now and then (native code runs only round-to-nearest-even
    // natively, and must notice the change).
    if rng.percent(4) {
        return format!("fsrmi {}", rng.below(5));
    }
    match rng.below(24) {
        0..=4 => {
            let op = rng.pick(&["fadd", "fsub", "fmul", "fdiv"]);
            format!("{op}.{fmt} {}, {}, {}{}", fr(rng), fr(rng), fr(rng), arith_rm(rng))
        }
        5 => format!("fsqrt.{fmt} {}, {}{}", fr(rng), fr(rng), arith_rm(rng)),
        6..=7 => {
            let op = rng.pick(&["fmadd", "fmsub", "fnmadd", "fnmsub"]);
            format!("{op}.{fmt} {}, {}, {}, {}{}", fr(rng), fr(rng), fr(rng), fr(rng), arith_rm(rng))
        }
        8..=9 => {
            let op = rng.pick(&["fmin", "fmax"]);
            format!("{op}.{fmt} {}, {}, {}", fr(rng), fr(rng), fr(rng))
        }
        10..=11 => {
            let op = rng.pick(&["fsgnj", "fsgnjn", "fsgnjx"]);
            format!("{op}.{fmt} {}, {}, {}", fr(rng), fr(rng), fr(rng))
        }
        12 => {
            let op = rng.pick(&["feq", "flt", "fle"]);
            format!("{op}.{fmt} {}, {}, {}", xd(rng), fr(rng), fr(rng))
        }
        13 => format!("fclass.{fmt} {}, {}", xd(rng), fr(rng)),
        14 => {
            let w = if fmt == "s" { "w" } else { "d" };
            if rng.percent(50) {
                format!("fmv.x.{w} {}, {}", xd(rng), fr(rng))
            } else {
                format!("fmv.{w}.x {}, {}", fr(rng), xs(rng))
            }
        }
        15..=18 => {
            let to = rng.pick(&["w", "wu", "l", "lu"]);
            format!("fcvt.{to}.{fmt} {}, {}{}", xd(rng), fr(rng), cvt_rm(rng))
        }
        19..=21 => {
            let from = rng.pick(&["w", "wu", "l", "lu"]);
            // int -> double is exact for w/wu and the assembler takes no rounding mode there.
            let rm = if fmt == "d" && (from == "w" || from == "wu") { "" } else { cvt_rm(rng) };
            format!("fcvt.{fmt}.{from} {}, {}{}", fr(rng), xs(rng), rm)
        }
        _ => {
            if rng.percent(50) {
                format!("fcvt.s.d {}, {}{}", fr(rng), fr(rng), cvt_rm(rng))
            } else {
                format!("fcvt.d.s {}, {}", fr(rng), fr(rng))
            }
        }
    }
}

fn nz6(rng: &mut Rng) -> i64 {
    loop {
        let v = rng.range(-32, 31);
        if v != 0 {
            return v;
        }
    }
}

fn gen_compressed(rng: &mut Rng) -> String {
    match rng.below(19) {
        0 => format!("c.addi {}, {}", xnz(rng), nz6(rng)),
        1 => format!("c.addiw {}, {}", xnz(rng), rng.range(-32, 31)),
        2 => format!("c.li {}, {}", xnz(rng), rng.range(-32, 31)),
        3 => {
            let rd = loop {
                let r = 1 + rng.below(30);
                if r != 2 {
                    break r;
                }
            };
            let imm = if rng.percent(50) { 1 + rng.below(31) } else { 0xfffe0 + rng.below(32) };
            format!("c.lui x{rd}, {imm:#x}")
        }
        4 => format!("c.addi16sp x2, {}", nz6(rng) * 16),
        5 => format!("c.addi4spn {}, x2, {}", xc(rng), 4 * (1 + rng.below(255))),
        6 => format!("c.slli {}, {}", xnz(rng), 1 + rng.below(63)),
        7 => format!("c.srli {}, {}", xc(rng), 1 + rng.below(63)),
        8 => format!("c.srai {}, {}", xc(rng), 1 + rng.below(63)),
        9 => format!("c.andi {}, {}", xc(rng), rng.range(-32, 31)),
        10..=15 => {
            let op = rng.pick(&["c.sub", "c.xor", "c.or", "c.and", "c.subw", "c.addw"]);
            format!("{op} {}, {}", xc(rng), xc(rng))
        }
        16 => format!("c.mv {}, {}", xnz(rng), xnz(rng)),
        17 => format!("c.add {}, {}", xnz(rng), xnz(rng)),
        _ => "c.nop".into(),
    }
}

/// Bytes of the scratch buffer; x31 points at its middle, so every 12-bit offset that
/// [`gen_memory`] picks stays inside.
const SCRATCH_BYTES: usize = 512;

/// Loads and stores: mnemonic, access size, and what the register operand is (`x`: integer
/// destination, `s`: integer source, `f`: float destination, `g`: float source).
const MEMORY_OPS: &[(&str, u64, char)] = &[
    ("ld", 8, 'x'),
    ("lw", 4, 'x'),
    ("lwu", 4, 'x'),
    ("lh", 2, 'x'),
    ("lhu", 2, 'x'),
    ("lb", 1, 'x'),
    ("lbu", 1, 'x'),
    ("sd", 8, 's'),
    ("sw", 4, 's'),
    ("sh", 2, 's'),
    ("sb", 1, 's'),
    ("fld", 8, 'f'),
    ("flw", 4, 'f'),
    ("fsd", 8, 'g'),
    ("fsw", 4, 'g'),
];

/// The register operand of a memory access.
fn memory_register(rng: &mut Rng, kind: char) -> String {
    match kind {
        'x' => xd(rng),
        's' => xs(rng),
        _ => fr(rng),
    }
}

fn gen_memory(rng: &mut Rng) -> String {
    if rng.percent(20) {
        gen_atomic(rng)
    } else {
        gen_load_store(rng)
    }
}

fn gen_load_store(rng: &mut Rng) -> String {
    let (op, size, kind) = rng.pick(MEMORY_OPS);
    let half = (SCRATCH_BYTES / 2) as i64;
    // Mostly aligned to the access size, sometimes not (both machines allow misaligned access).
    let mut offset = rng.range(-half, half - 8);
    if rng.percent(90) {
        offset &= -(size as i64);
    }
    format!("{op} {}, {offset}(x31)", memory_register(rng, kind))
}

/// An atomic memory operation on the scratch buffer, or an LR/SC pair with nothing between
/// them (so that the SC succeeds on both machines), through an address register set first.
/// Registers come from x1..x29: a loop's counter (x30) must not change.
fn gen_atomic(rng: &mut Rng) -> String {
    let register = |rng: &mut Rng| format!("x{}", 1 + rng.below(29));
    let width = if rng.percent(50) { "w" } else { "d" };
    let size = if width == "w" { 4 } else { 8 };
    let half = (SCRATCH_BYTES / 2) as i64;
    // Atomics must be naturally aligned.
    let offset = rng.range(-half, half - 8) & -size;
    let ordering = rng.pick(&["", ".aq", ".rl", ".aqrl"]);
    let address = register(rng);
    let set_address = format!("addi {address}, x31, {offset}");
    let (mut rd, rs2) = (register(rng), register(rng));
    if rng.percent(25) {
        // The SC needs the address after the LR has written its destination.
        while rd == address {
            rd = register(rng);
        }
        let result = register(rng);
        return format!(
            "{set_address}\n    lr.{width}{ordering} {rd}, ({address})\n    sc.{width}{ordering} {result}, {rs2}, ({address})"
        );
    }
    let op = rng.pick(&["amoswap", "amoadd", "amoxor", "amoand", "amoor", "amomin", "amomax", "amominu", "amomaxu"]);
    format!("{set_address}\n    {op}.{width}{ordering} {rd}, {rs2}, ({address})")
}

/// Guest memory in the fault flavour (`rvsandbox run --memory`), so that its end is known.
const FAULT_FLAVOUR_MEMORY_MIB: u64 = 16;

/// Whether the seed's programs access memory around the edges (see the module doc).
fn fault_flavour(seed: u64) -> bool {
    seed % 6 == 5
}

/// An access near an edge of what the guest may touch, through x29: mostly one that straddles
/// it or ends or starts right at it.
fn gen_edge_access(rng: &mut Rng) -> String {
    let memory_end = format!("li x29, {:#x}", FAULT_FLAVOUR_MEMORY_MIB << 20);
    let base = rng.pick(&[
        memory_end.as_str(),
        "lla x29, __ehdr_start",
        "lla x29, _start",
        "lla x29, init_x",
        "li x29, 0",
        "li x29, -16",
    ]);
    let (op, size, kind) = rng.pick(MEMORY_OPS);
    let size = size as i64;
    let offset = if rng.percent(80) { rng.range(-size - 2, 2) } else { rng.range(-24, 24) };
    format!("{base}\n    {op} {}, {offset}(x29)", memory_register(rng, kind))
}

/// The label of sequence entry `i` (entries past a prefix all label the dump that follows it).
fn label(i: usize) -> String {
    format!(".Lentry{i}")
}

/// A forward transfer of control from entry `at` of `len` to a later entry (or the dump).
fn gen_forward_jump(rng: &mut Rng, at: usize, len: usize) -> String {
    let mut target = |most_entries_ahead: u64| label((at + 1 + rng.below(most_entries_ahead) as usize).min(len));
    // An entry takes at most 84 bytes (a loop of six LR/SC units); compressed branches reach
    // 256 bytes, so they jump over at most two entries.
    let (near, far) = (target(3), target(12));
    match rng.below(10) {
        0..=4 => {
            let op = rng.pick(&["beq", "bne", "blt", "bge", "bltu", "bgeu"]);
            format!("{op} {}, {}, {far}", xs(rng), xs(rng))
        }
        5 => format!("{} {}, {near}", rng.pick(&["c.beqz", "c.bnez"]), xc(rng)),
        6 => format!("c.j {far}"),
        7 => format!("jal {}, {far}", xd(rng)),
        // Through a register, as a call through a function pointer would.
        _ => {
            let via = xnz(rng);
            format!("lla {via}, {far}\n    jalr {}, 0({via})", xd(rng))
        }
    }
}

/// A loop that runs a few straight-line instructions 1-5 times, counting down in x30 (which the
/// body does not write).
fn gen_loop(rng: &mut Rng, at: usize) -> String {
    let mut text = format!("li x30, {}\n.Lloop{at}:", 1 + rng.below(5));
    for _ in 0..1 + rng.below(6) {
        let insn = loop {
            let insn = match rng.below(4) {
                0 => gen_memory(rng),
                1 => gen_float(rng),
                _ => gen_int(rng),
            };
            let writes_counter = insn.split([' ', ',']).nth(1) == Some("x30");
            if !writes_counter {
                break insn;
            }
        };
        text.push_str(&format!("\n    {insn}"));
    }
    text.push_str(&format!("\n    addi x30, x30, -1\n    bnez x30, .Lloop{at}"));
    text
}

/// Subroutines a program may call (`jal x1`); each returns with `ret`.
const SUBROUTINES: u64 = 4;

/// A call of one of the subroutines.
fn gen_call(rng: &mut Rng) -> String {
    format!("jal x1, .Lsub{}", rng.below(SUBROUTINES))
}

/// A subroutine's body: a few straight-line instructions that leave the return address (x1)
/// alone.
fn gen_subroutine(rng: &mut Rng) -> String {
    let mut body = Vec::new();
    while body.len() < 1 + rng.below(6) as usize {
        let insn = match rng.below(3) {
            0 => gen_load_store(rng),
            1 => gen_float(rng),
            _ => gen_int(rng),
        };
        if insn.split([' ', ',']).nth(1) != Some("x1") {
            body.push(insn);
        }
    }
    body.join("\n    ")
}

struct Case {
    seed: u64,
    init_x: [u64; 31], // index 1..=30 used (x1..x30); [0] unused
    init_f: [u64; 32],
    init_scratch: Vec<u64>,
    instrs: Vec<String>,
    /// The bodies of the subroutines `.Lsub0`, `.Lsub1`, ...
    subroutines: Vec<String>,
}

fn generate(seed: u64, len: usize) -> Case {
    let mut rng = Rng::new(seed);
    let mut init_x = [0u64; 31];
    for v in init_x.iter_mut().skip(1) {
        *v = interesting_int(&mut rng);
    }
    let mut init_f = [0u64; 32];
    for v in init_f.iter_mut() {
        *v = interesting_freg(&mut rng);
    }
    let init_scratch = (0..SCRATCH_BYTES / 8).map(|_| interesting_int(&mut rng)).collect();
    let subroutines = (0..SUBROUTINES).map(|_| gen_subroutine(&mut rng)).collect();
    // The seed picks a flavour so every seed reproduces on its own: int-, float-, compressed-heavy,
    // mixed, memory with control flow, and that with accesses at the edges. Weights in percent:
    // integer, float, compressed, memory, forward jumps, edge accesses, calls; loops take the
    // rest.
    let weights: [u64; 7] = match seed % 6 {
        0 => [70, 15, 15, 0, 0, 0, 0],
        1 => [20, 70, 10, 0, 0, 0, 0],
        2 => [40, 20, 40, 0, 0, 0, 0],
        3 => [40, 40, 20, 0, 0, 0, 0],
        4 => [30, 10, 10, 25, 15, 0, 5],
        // A program ends at its first fault: edge accesses are rare.
        _ => [30, 10, 10, 25, 14, 1, 5],
    };
    let instrs = (0..len)
        .map(|at| {
            let mut r = rng.below(100);
            let mut kind = 0;
            while kind < weights.len() && r >= weights[kind] {
                r -= weights[kind];
                kind += 1;
            }
            match kind {
                0 => gen_int(&mut rng),
                1 => gen_float(&mut rng),
                2 => gen_compressed(&mut rng),
                3 => gen_memory(&mut rng),
                4 => gen_forward_jump(&mut rng, at, len),
                5 => gen_edge_access(&mut rng),
                6 => gen_call(&mut rng),
                _ => gen_loop(&mut rng, at),
            }
        })
        .collect();
    Case { seed, init_x, init_f, init_scratch, instrs, subroutines }
}

// ------------------------------------------------------------------ program text

/// x1..x31, f0..f31, then fcsr.
const REGISTER_WORDS: usize = 31 + 32 + 1;
/// The registers, then the scratch buffer.
const DUMP_WORDS: usize = REGISTER_WORDS + SCRATCH_BYTES / 8;

fn program_source(case: &Case, prefix: usize) -> String {
    let mut s = String::new();
    writeln!(s, "# rvsandbox fuzz case seed={:#x}, {} of {} instructions", case.seed, prefix, case.instrs.len())
        .unwrap();
    s.push_str("    .option norelax\n    .section .data\n    .balign 8\ninit_x:\n");
    for v in &case.init_x[1..] {
        writeln!(s, "    .dword {v:#018x}").unwrap();
    }
    s.push_str("init_f:\n");
    for v in &case.init_f {
        writeln!(s, "    .dword {v:#018x}").unwrap();
    }
    // The scratch buffer follows the register dump, so that one `write` sends both.
    writeln!(s, "    .balign 8\ndump:\n    .zero {}\nscratch:", REGISTER_WORDS * 8).unwrap();
    for v in &case.init_scratch {
        writeln!(s, "    .dword {v:#018x}").unwrap();
    }
    s.push_str("    .section .text\n    .globl _start\n_start:\n    lla x31, init_f\n");
    for i in 0..32 {
        writeln!(s, "    fld f{i}, {}(x31)", i * 8).unwrap();
    }
    s.push_str("    lla x31, init_x\n");
    for i in 1..=30 {
        writeln!(s, "    ld x{i}, {}(x31)", (i - 1) * 8).unwrap();
    }
    writeln!(s, "    lla x31, scratch + {}", SCRATCH_BYTES / 2).unwrap();
    s.push_str("    # ---- sequence\n");
    for (i, ins) in case.instrs[..prefix].iter().enumerate() {
        writeln!(s, "{}:\n    {ins}", label(i)).unwrap();
    }
    // Jumps past the prefix land on the dump.
    for i in prefix..=case.instrs.len() {
        writeln!(s, "{}:", label(i)).unwrap();
    }
    s.push_str("    # ---- dump\n    lla x31, dump\n");
    for i in 1..=31 {
        writeln!(s, "    sd x{i}, {}(x31)", (i - 1) * 8).unwrap();
    }
    for i in 0..32 {
        writeln!(s, "    fsd f{i}, {}(x31)", (31 + i) * 8).unwrap();
    }
    // The accrued exception flags and rounding mode, last.
    s.push_str("    frcsr x1\n    sd x1, 504(x31)\n");
    writeln!(
        s,
        "    li a0, 1\n    mv a1, x31\n    li a2, {}\n    li a7, 64\n    ecall\n    li a0, 0\n    li a7, 93\n    ecall",
        DUMP_WORDS * 8
    )
    .unwrap();
    for (k, body) in case.subroutines.iter().enumerate() {
        writeln!(s, ".Lsub{k}:\n    {body}\n    ret").unwrap();
    }
    s
}

fn reg_name(i: usize) -> String {
    match i {
        0..=30 => format!("x{}", i + 1),
        31..=62 => format!("f{}", i - 31),
        63 => "fcsr".into(),
        _ => format!("scratch word at {}(x31)", 8 * (i - REGISTER_WORDS) as i64 - (SCRATCH_BYTES / 2) as i64),
    }
}

/// Register index in the dump for an operand name (x1..x31, f0..f31).
fn dump_index(name: &str) -> Option<usize> {
    let n: usize = name.get(1..)?.parse().ok()?;
    match name.as_bytes()[0] {
        b'x' if (1..=31).contains(&n) => Some(n - 1),
        b'f' if n < 32 => Some(31 + n),
        _ => None,
    }
}

fn show_value(i: usize, v: u64) -> String {
    match i {
        63 => format!("{v:#x} (fflags NV DZ OF UF NX = {:05b})", v & 31),
        31..=62 if v >> 32 == 0xffff_ffff => {
            format!("{v:#018x} (f32 {:e}; f64 {:e})", f32::from_bits(v as u32), f64::from_bits(v))
        }
        31..=62 => format!("{v:#018x} (f64 {:e})", f64::from_bits(v)),
        // Integer registers and scratch words.
        _ => format!("{v:#018x} ({})", v as i64),
    }
}

// ------------------------------------------------------------------ running

/// How a run ended: with the dumped registers and scratch buffer, or not.
#[derive(PartialEq)]
enum Outcome {
    Regs(Vec<u64>),
    /// The exit status and what the runner printed on stderr (for rvsandbox, the fault).
    Failed(String),
}

impl Outcome {
    fn same(&self, other: &Outcome) -> bool {
        self == other
    }
}

fn outcome(r: &RunResult) -> Outcome {
    if r.code() == Some(0) && r.stdout.len() == DUMP_WORDS * 8 {
        Outcome::Regs(r.stdout.chunks(8).map(|c| u64::from_le_bytes(c.try_into().unwrap())).collect())
    } else {
        Outcome::Failed(format!(
            "{} with {} bytes of output (want {}); stderr: {}",
            r.status_text(),
            r.stdout.len(),
            DUMP_WORDS * 8,
            cap(r.stderr_lossy().trim(), 1000)
        ))
    }
}

struct Runs {
    source: PathBuf,
    /// What the program must do: qemu's run, or the interpreter's in the fault flavour.
    reference: Outcome,
    ours: Outcome,
}

/// What [`Runs::reference`] comes from, for messages.
fn reference_name(case: &Case) -> &'static str {
    if fault_flavour(case.seed) {
        "the interpreter"
    } else {
        "qemu"
    }
}

fn run_prefix(dir: &Path, case: &Case, prefix: usize) -> Runs {
    let stem = format!("seed-{:x}-len-{}", case.seed, prefix);
    let source = dir.join(format!("{stem}.S"));
    let exe = dir.join(&stem);
    std::fs::write(&source, program_source(case, prefix)).unwrap();
    let _ = std::fs::remove_file(&exe);
    compile(CC, &[MARCH, "-mabi=lp64d", "-nostdlib", "-static", "-Wl,--no-relax"], &source, &exe, &[]);
    let faults = fault_flavour(case.seed);
    let memory = FAULT_FLAVOUR_MEMORY_MIB.to_string();
    let ours_in = |mode: &[&str]| {
        let mut command = Command::new(rvsandbox());
        command.arg("run").args(mode);
        if faults {
            command.args(["--memory", &memory]);
        }
        outcome(&run(command.arg(&exe), RUN_TIMEOUT))
    };
    let (reference, modes) = if faults {
        let interpreted = ours_in(EXECUTION_MODES[0]);
        // The interpreter may end in a guest fault (exit status 125), never otherwise: two
        // panics alike would compare equal.
        if let Outcome::Failed(why) = &interpreted {
            assert!(
                why.starts_with("exit code 125 ") && why.contains("(pc 0x"),
                "fuzz: the interpreter did not run {} cleanly: {why}\n(seed {:#x})",
                source.display(),
                case.seed
            );
        }
        (interpreted, &EXECUTION_MODES[1..])
    } else {
        let qemu = outcome(&run(Command::new(QEMU).arg(&exe), RUN_TIMEOUT));
        if let Outcome::Failed(why) = &qemu {
            panic!("fuzz harness bug: qemu did not run {} cleanly: {why}\n(seed {:#x})", source.display(), case.seed);
        }
        (qemu, EXECUTION_MODES)
    };
    // The first mode that differs from the reference, or the last one.
    let mut ours = None;
    for mode in modes {
        let outcome = ours_in(mode);
        let differs = !reference.same(&outcome);
        ours = Some(outcome);
        if differs {
            break;
        }
    }
    Runs { source, reference, ours: ours.expect("at least one mode") }
}

fn cleanup(r: &Runs) {
    let _ = std::fs::remove_file(&r.source);
    let _ = std::fs::remove_file(r.source.with_extension(""));
}

/// Shrinks a failing case to the shortest failing prefix and describes it.
fn report(dir: &Path, case: &Case, full: Runs) -> String {
    // Invariant: prefix `lo` agrees, prefix `hi` differs.
    let (mut lo, mut hi) = (0usize, case.instrs.len());
    let base = run_prefix(dir, case, 0);
    let mut msg = format!(
        "seed {:#x} ({} instructions): rvsandbox differs from {}\n  reproduce: RVSANDBOX_FUZZ_SEED={:#x} RVSANDBOX_FUZZ_CASES=1 RVSANDBOX_FUZZ_LEN={} cargo test -p rvsandbox-cli --test fuzz_instructions\n  full program: {}\n",
        case.seed,
        case.instrs.len(),
        reference_name(case),
        case.seed,
        case.instrs.len(),
        full.source.display()
    );
    if !base.reference.same(&base.ours) {
        msg.push_str("  even the empty sequence differs: loading registers with fld/ld and dumping them with sd/fsd + write/exit is broken\n");
        msg.push_str(&describe_diff(case, &base.reference, &base.ours));
        return msg;
    }
    cleanup(&base);
    let mut hi_runs = full;
    let mut lo_runs = base;
    while hi - lo > 1 {
        let mid = (lo + hi) / 2;
        let r = run_prefix(dir, case, mid);
        if r.reference.same(&r.ours) {
            lo = mid;
            lo_runs = r;
        } else {
            hi = mid;
            hi_runs = r;
        }
    }
    let culprit = &case.instrs[hi - 1];
    writeln!(msg, "  shortest failing prefix: {hi} instructions ({})", hi_runs.source.display()).unwrap();
    writeln!(msg, "  culprit (instruction #{}): {culprit}", hi - 1).unwrap();
    if let Outcome::Regs(before) = &lo_runs.reference {
        let mut seen = Vec::new();
        for op in culprit.split(|c: char| c == ',' || c.is_whitespace()).skip(1) {
            if let Some(i) = dump_index(op.trim()) {
                if !seen.contains(&i) {
                    seen.push(i);
                    writeln!(msg, "    before: {:>4} = {}", reg_name(i), show_value(i, before[i])).unwrap();
                }
            }
        }
    }
    msg.push_str(&describe_diff(case, &hi_runs.reference, &hi_runs.ours));
    let from = hi.saturating_sub(8);
    writeln!(msg, "  sequence up to the culprit (from #{from}):").unwrap();
    for (i, ins) in case.instrs[from..hi].iter().enumerate() {
        writeln!(msg, "    #{:<4} {ins}", from + i).unwrap();
    }
    msg
}

fn describe_diff(case: &Case, reference: &Outcome, ours: &Outcome) -> String {
    let name = reference_name(case);
    let mut s = String::new();
    match (reference, ours) {
        (Outcome::Regs(q), Outcome::Regs(o)) => {
            for i in 0..DUMP_WORDS {
                if q[i] != o[i] {
                    writeln!(
                        s,
                        "    {:>4}: {name} {}\n          rvsandbox {}",
                        reg_name(i),
                        show_value(i, q[i]),
                        show_value(i, o[i])
                    )
                    .unwrap();
                }
            }
        }
        (reference, ours) => {
            for (who, outcome) in [(name, reference), ("rvsandbox", ours)] {
                match outcome {
                    Outcome::Failed(why) => writeln!(s, "    {who}: {why}").unwrap(),
                    Outcome::Regs(_) => writeln!(s, "    {who}: ran to the end").unwrap(),
                }
            }
        }
    }
    s
}

fn env_num(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(v) if !v.trim().is_empty() => {
            let v = v.trim();
            let parsed = match v.strip_prefix("0x").or_else(|| v.strip_prefix("0X")) {
                Some(hex) => u64::from_str_radix(hex, 16),
                None => v.parse(),
            };
            parsed.unwrap_or_else(|_| panic!("{name}={v:?} is not a number"))
        }
        _ => default,
    }
}

#[test]
fn fuzz_instructions_against_qemu() {
    require_tool(CC);
    require_tool(QEMU);
    let cases = env_num("RVSANDBOX_FUZZ_CASES", DEFAULT_CASES as u64) as usize;
    let len = env_num("RVSANDBOX_FUZZ_LEN", DEFAULT_LEN as u64) as usize;
    let seed0 = env_num("RVSANDBOX_FUZZ_SEED", DEFAULT_SEED);
    let dir = scratch_dir(&format!("fuzz-{}", unique_suffix()));
    let next = AtomicUsize::new(0);
    let failures: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let workers = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2).min(8);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= cases || failures.lock().unwrap().len() >= MAX_REPORTED_FAILURES {
                    break;
                }
                let case = generate(seed0.wrapping_add(i as u64), len);
                let runs = run_prefix(&dir, &case, len);
                if runs.reference.same(&runs.ours) {
                    cleanup(&runs);
                } else {
                    let text = report(&dir, &case, runs);
                    failures.lock().unwrap().push(text);
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap();
    if failures.is_empty() {
        let _ = std::fs::remove_dir_all(&dir);
        eprintln!(
            "fuzz: {cases} programs x {len} instructions agree (seeds {seed0:#x}..{:#x})",
            seed0.wrapping_add(cases as u64)
        );
    } else {
        panic!(
            "{} fuzz case(s) differ (the run stops once {MAX_REPORTED_FAILURES} have failed); files kept in {}\n\n{}",
            failures.len(),
            dir.display(),
            failures.join("\n")
        );
    }
}

/// The generator itself: every instruction form assembles, and a seed always yields the same program.
#[test]
fn fuzz_generator_is_deterministic_and_assembles() {
    require_tool(CC);
    let a = generate(12345, 2000);
    let b = generate(12345, 2000);
    assert_eq!(a.instrs, b.instrs);
    assert_eq!(a.init_f, b.init_f);
    let dir = scratch_dir(&format!("fuzz-gen-{}", unique_suffix()));
    // Six seeds cover the six flavours.
    for seed in 0..6u64 {
        let case = generate(seed, 2000);
        let src = dir.join(format!("gen-{seed}.S"));
        std::fs::write(&src, program_source(&case, case.instrs.len())).unwrap();
        compile(
            CC,
            &[MARCH, "-mabi=lp64d", "-nostdlib", "-static", "-Wl,--no-relax"],
            &src,
            &dir.join(format!("gen-{seed}")),
            &[],
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
