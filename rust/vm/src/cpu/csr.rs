//! Zicsr: the user-level CSRs a Linux program touches: the floating-point status (`fflags`, `frm`,
//! `fcsr`) and the read-only counters (`cycle`, `time`, `instret`, which all count retired
//! instructions so that guests stay deterministic).
//!
//! The dispatch loop counts instructions per block, so `cpu.instructions` is only exact at a
//! block's last instruction: CSR accesses end their block.

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
        // The dispatch loop has already counted this instruction, the last of its block.
        CYCLE | TIME | INSTRET => cpu.instructions.saturating_sub(1),
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
    let source = if i.rs3 & 4 != 0 { i.rs1 as u64 } else { cpu.operand(i.rs1) };
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
    cpu.pc = i.next_pc(cpu);
    Ok(())
}

/// Decodes the Zicsr encodings under SYSTEM (0x73).
pub(crate) fn decode(w: Word) -> Option<Insn> {
    match w.funct3() {
        1..=3 | 5..=7 => Some(
            Insn::int(csr_access, w.rd(), w.rs1(), 0, (w.0 >> 20) as i32).with_rs3(w.funct3() as u8).ending_block(),
        ),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use crate::cpu::code::Code;
    use crate::cpu::dispatch::{self, Exit};
    use crate::cpu::{Cpu, Trap};
    use crate::memory::Memory;

    /// The counters count the instructions retired before the one reading them, wherever it is in
    /// its block (the dispatch loop charges whole blocks at once).
    #[test]
    fn counters_read_the_instructions_retired_so_far() {
        let program: [u32; 5] = [
            0x0000_0013, // nop
            0xc020_2573, // rdinstret a0
            0xc000_25f3, // rdcycle a1
            0x0000_0013, // nop
            0x0010_0073, // ebreak
        ];
        let bytes: Vec<u8> = program.iter().flat_map(|w| w.to_le_bytes()).collect();
        let code = Code::decode(0x1000, &bytes);
        let (mut cpu, mut mem) = (Cpu::default(), Memory::new(0x2000));
        cpu.pc = 0x1000;
        assert_eq!(dispatch::run(&mut cpu, &mut mem, &code, None, 100), Exit::Trap(Trap::Breakpoint));
        assert_eq!((cpu.reg(10), cpu.reg(11)), (1, 2));
        assert_eq!((cpu.instructions, cpu.pc), (4, 0x1010));
    }
}
