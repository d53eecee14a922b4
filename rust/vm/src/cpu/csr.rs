//! Zicsr: the user-level CSRs a Linux program touches: the floating-point status (`fflags`, `frm`,
//! `fcsr`) and the read-only counters (`cycle`, `time`, `instret`, which all count retired
//! instructions so that guests stay deterministic).

use super::fields::Word;
use super::{Cpu, Insn, Trap};
use crate::memory::Memory;

const FFLAGS: u32 = 0x001;
const FRM: u32 = 0x002;
const FCSR: u32 = 0x003;
const CYCLE: u32 = 0xc00;
const TIME: u32 = 0xc01;
const INSTRET: u32 = 0xc02;

fn read(cpu: &Cpu, csr: u32) -> Option<u64> {
    Some(match csr {
        FFLAGS => (cpu.fcsr & 0x1f) as u64,
        FRM => ((cpu.fcsr >> 5) & 7) as u64,
        FCSR => (cpu.fcsr & 0xff) as u64,
        CYCLE | TIME | INSTRET => cpu.instructions,
        _ => return None,
    })
}

fn write(cpu: &mut Cpu, csr: u32, value: u64) -> Option<()> {
    let value = value as u32;
    cpu.fcsr = match csr {
        FFLAGS => (cpu.fcsr & !0x1f) | (value & 0x1f),
        FRM => (cpu.fcsr & 0x1f) | ((value & 7) << 5),
        FCSR => value & 0xff,
        _ => return None,
    };
    Some(())
}

/// CSRRW/CSRRS/CSRRC and their immediate forms. `imm` holds the CSR number, `rs3` the funct3, and
/// `rs1` the source register or the 5-bit immediate.
fn csr_access(cpu: &mut Cpu, _: &mut Memory, i: &Insn) -> Result<(), Trap> {
    let csr = i.imm as u32;
    let illegal = Trap::IllegalInstruction(i.raw);
    let old = read(cpu, csr).ok_or(illegal)?;
    let source = if i.rs3 & 4 != 0 { i.rs1 as u64 } else { cpu.reg(i.rs1) };
    let new = match i.rs3 & 3 {
        1 => Some(source),
        // Set and clear with a zero source do not write (so reading a read-only CSR is legal).
        2 => (i.rs1 != 0).then_some(old | source),
        _ => (i.rs1 != 0).then_some(old & !source),
    };
    if let Some(new) = new {
        write(cpu, csr, new).ok_or(illegal)?;
    }
    cpu.write(i.rd, old);
    Ok(())
}

/// Decodes the Zicsr encodings under SYSTEM (0x73).
pub(crate) fn decode(w: Word) -> Option<Insn> {
    match w.funct3() {
        1..=3 | 5..=7 => Some(Insn::int(csr_access, w.rd(), w.rs1(), 0, (w.0 >> 20) as i32).with_rs3(w.funct3() as u8)),
        _ => None,
    }
}
