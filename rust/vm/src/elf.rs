//! Loading static RV64 ELF programs with `goblin`: validation, segments and symbols.
//!
//! A [`Program`] is everything that can be shared between machines running the same ELF: the
//! loadable segments, the decoded code and the symbol table. Turning it into a running guest
//! (placing segments in an arena, building the initial stack) is the machine's job.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use goblin::elf::{header, program_header, sym, Elf};
use thiserror::Error;

use crate::arena::ImageFile;
use crate::cpu::code::Code;
use crate::jit::{CompileStats, Jit};

/// Guest page size.
pub const PAGE_SIZE: u64 = 4096;

/// The lowest address a program may occupy; the pages below stay unmapped so that null-pointer
/// accesses fault.
pub const LOWEST_ADDRESS: u64 = 0x10000;

/// The largest address space this crate accepts (segment ends and memory sizes).
pub const MAX_ADDRESS: u64 = 1 << 36;

/// How much larger than the file the executable range may be (gaps between executable segments).
const MAX_CODE_GAP: u64 = 1 << 20;

/// Why an ELF could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum LoadError {
    /// The bytes are not a parseable ELF file.
    #[error("not a valid ELF file: {0}")]
    Malformed(String),
    /// An ELF, but not ELF64.
    #[error("not a 64-bit ELF")]
    WrongClass,
    /// An ELF for another architecture.
    #[error("not a RISC-V ELF (machine {0})")]
    WrongMachine(u16),
    /// A big-endian ELF.
    #[error("not a little-endian ELF")]
    WrongEndianness,
    /// Not an executable (a relocatable object or core file).
    #[error("ELF type {0} is not an executable")]
    NotExecutable(u16),
    /// The program asks for a dynamic loader; only static programs run here.
    #[error("dynamically linked programs are not supported (link with -static)")]
    Dynamic,
    /// No PT_LOAD segment contains executable code.
    #[error("the program has no executable segment")]
    NoCode,
    /// A segment's file bytes lie outside the file, or it is larger in the file than in memory.
    #[error("segment {index} is truncated or malformed")]
    BadSegment {
        /// The program-header index of the segment.
        index: usize,
    },
    /// A segment lies outside the addresses a guest may use.
    #[error("segment {index} at {start:#x}..{end:#x} is outside the guest address space")]
    SegmentOutOfRange {
        /// The program-header index of the segment.
        index: usize,
        /// Its first address.
        start: u64,
        /// Its end address.
        end: u64,
    },
    /// Two segments share addresses.
    #[error("segments {first} and {second} overlap")]
    OverlappingSegments {
        /// The lower segment's index.
        first: usize,
        /// The other segment's index.
        second: usize,
    },
    /// A writable segment lies below or among the read-only ones; text must come first.
    #[error("segment {index} is writable but lies below read-only segments")]
    UnsupportedLayout {
        /// The program-header index of the segment.
        index: usize,
    },
    /// The program does not fit in the configured memory.
    #[error("the program needs {needed:#x} bytes but memory is limited to {limit:#x}")]
    TooLarge {
        /// Bytes needed by the image, heap reserve and stack.
        needed: u64,
        /// The configured maximum.
        limit: u64,
    },
    /// The host could not provide guest memory of this many bytes.
    #[error("the host cannot provide {0:#x} bytes of guest memory")]
    OutOfHostMemory(u64),
    /// The options are unusable (e.g. a memory size that is not a whole number of pages).
    #[error("invalid options: {0}")]
    InvalidOptions(&'static str),
}

/// One PT_LOAD segment, as placed in guest memory.
pub(crate) struct Segment {
    /// The program-header index, for error messages.
    pub index: usize,
    pub addr: u64,
    pub data: Vec<u8>,
    pub mem_size: u64,
    pub writable: bool,
}

/// A parsed, validated and decoded program, shareable between machines.
pub struct Program {
    /// The loadable segments, sorted by address: with zeros everywhere else, guest memory up to
    /// `image_end` as a fresh machine sees it.
    pub(crate) segments: Vec<Segment>,
    /// The same bytes as a mappable file, so machines share them copy-on-write.
    pub(crate) image_file: Option<ImageFile>,
    pub(crate) entry: u64,
    /// Where the program headers are in guest memory, and how many there are (for the auxv).
    pub(crate) program_headers: (u64, u64),
    pub(crate) code: Code,
    /// Native code compiled from `code`, shared by the machines of this program.
    pub(crate) jit: Jit,
    pub(crate) symbols: Symbols,
    /// The first address that is neither unmapped nor part of the image.
    pub(crate) image_end: u64,
    /// The lowest address of the image.
    pub(crate) image_start: u64,
    /// The lowest writable address of the image (every later address is writable too).
    pub(crate) writable_start: u64,
}

impl Program {
    /// Parses and validates `bytes`, and decodes its code.
    pub fn parse(bytes: &[u8]) -> Result<Arc<Program>, LoadError> {
        // goblin is not hardened against every hostile input; a panic in it becomes an error.
        let elf = std::panic::catch_unwind(|| Elf::parse(bytes))
            .map_err(|_| LoadError::Malformed("the ELF parser rejected the file".into()))?
            .map_err(|e| LoadError::Malformed(e.to_string()))?;
        check_header(&elf)?;
        let bias = if elf.header.e_type == header::ET_DYN { load_bias(&elf) } else { 0 };
        let segments = load_segments(&elf, bytes, bias)?;
        let image_start = segments.iter().map(|s| s.addr).min().ok_or(LoadError::NoCode)?;
        let image_end = segments.iter().map(|s| page_up(s.addr + s.mem_size)).max().unwrap_or(image_start);
        let writable_start = writable_start(&segments, image_end)?;
        let code = decode_code(&elf, &segments, bytes.len() as u64, bias, writable_start)?;
        Ok(Arc::new(Program {
            image_file: ImageFile::new(&segments),
            segments,
            entry: elf.entry.wrapping_add(bias),
            program_headers: (program_header_address(&elf, bias), elf.program_headers.len() as u64),
            symbols: Symbols::new(&elf, bias),
            jit: Jit::new(&code),
            code,
            image_end,
            image_start: image_start & !(PAGE_SIZE - 1),
            writable_start,
        }))
    }

    /// How much of the program's code has been compiled to native code so far (by any of its
    /// machines), and the time that took.
    pub fn compile_stats(&self) -> CompileStats {
        self.jit.stats()
    }

    /// The program's entry point.
    pub fn entry(&self) -> u64 {
        self.entry
    }

    /// The address of the symbol `name`, if the program defines it.
    pub fn address_of(&self, name: &str) -> Option<u64> {
        self.symbols.address_of(name)
    }

    /// The function containing `addr`, with the offset into it.
    pub fn symbol_at(&self, addr: u64) -> Option<(&str, u64)> {
        self.symbols.symbol_at(addr)
    }

    /// Whether `addr` is the start of a decoded instruction slot in executable code (what a
    /// function pointer from the guest must be before the host calls it).
    pub fn is_executable(&self, addr: u64) -> bool {
        self.code.slot(addr).is_some()
    }

    /// Every function symbol the program defines, by address.
    pub fn functions(&self) -> impl Iterator<Item = (&str, u64)> {
        self.symbols.functions()
    }
}

fn check_header(elf: &Elf) -> Result<(), LoadError> {
    if !elf.is_64 {
        return Err(LoadError::WrongClass);
    }
    if !elf.little_endian {
        return Err(LoadError::WrongEndianness);
    }
    if elf.header.e_machine != header::EM_RISCV {
        return Err(LoadError::WrongMachine(elf.header.e_machine));
    }
    match elf.header.e_type {
        header::ET_EXEC | header::ET_DYN => {}
        other => return Err(LoadError::NotExecutable(other)),
    }
    if elf.interpreter.is_some() {
        return Err(LoadError::Dynamic);
    }
    Ok(())
}

/// Where a position-independent program goes: its lowest segment at [`LOWEST_ADDRESS`].
fn load_bias(elf: &Elf) -> u64 {
    let lowest = elf
        .program_headers
        .iter()
        .filter(|ph| ph.p_type == program_header::PT_LOAD)
        .map(|ph| ph.p_vaddr & !(PAGE_SIZE - 1))
        .min()
        .unwrap_or(0);
    LOWEST_ADDRESS.saturating_sub(lowest)
}

fn page_up(addr: u64) -> u64 {
    addr.div_ceil(PAGE_SIZE) * PAGE_SIZE
}

fn load_segments(elf: &Elf, bytes: &[u8], bias: u64) -> Result<Vec<Segment>, LoadError> {
    // By start address: each new segment is checked against its neighbours, not all of them
    // (a hostile file may have tens of thousands).
    let mut segments: BTreeMap<u64, Segment> = BTreeMap::new();
    // Segments may share file bytes, but only about a page's worth each: otherwise a small file
    // could name the same megabytes over and over, and each copy costs the host memory.
    let mut file_bytes_left = bytes.len() as u64;
    for (index, ph) in elf.program_headers.iter().enumerate() {
        if ph.p_type != program_header::PT_LOAD || ph.p_memsz == 0 {
            continue;
        }
        let start = ph.p_vaddr.checked_add(bias);
        let end = start.and_then(|s| s.checked_add(ph.p_memsz));
        let (start, end) = match (start, end) {
            (Some(s), Some(e)) if s >= LOWEST_ADDRESS && e <= MAX_ADDRESS => (s, e),
            _ => {
                return Err(LoadError::SegmentOutOfRange {
                    index,
                    start: ph.p_vaddr,
                    end: ph.p_vaddr.wrapping_add(ph.p_memsz),
                })
            }
        };
        let file_end = ph.p_offset.checked_add(ph.p_filesz);
        let data = match file_end {
            Some(file_end) if ph.p_filesz <= ph.p_memsz && file_end <= bytes.len() as u64 => {
                bytes[ph.p_offset as usize..file_end as usize].to_vec()
            }
            _ => return Err(LoadError::BadSegment { index }),
        };
        file_bytes_left =
            (file_bytes_left + PAGE_SIZE).checked_sub(ph.p_filesz).ok_or(LoadError::BadSegment { index })?;
        // The segments do not overlap each other, so of those starting below `end`, the last
        // one ends last: only it can reach past `start`.
        if let Some((_, other)) = segments.range(..end).next_back().filter(|(_, s)| s.addr + s.mem_size > start) {
            return Err(LoadError::OverlappingSegments { first: other.index, second: index });
        }
        let writable = ph.p_flags & program_header::PF_W != 0;
        segments.insert(start, Segment { index, addr: start, data, mem_size: end - start, writable });
    }
    Ok(segments.into_values().collect())
}

/// The boundary below which nothing is writable: the start of the first writable segment.
/// Read-only segments above a writable one cannot be protected by one boundary, so they are refused.
fn writable_start(segments: &[Segment], image_end: u64) -> Result<u64, LoadError> {
    let Some(first) = segments.iter().position(|s| s.writable) else {
        return Ok(image_end);
    };
    if let Some(read_only) = segments[first..].iter().find(|s| !s.writable) {
        return Err(LoadError::UnsupportedLayout { index: read_only.index });
    }
    Ok(segments[first].addr)
}

/// Decodes the executable segments' range. Executable and writable memory never overlap.
///
/// Only bytes from the file are decoded: the zeros after them (`p_memsz` beyond `p_filesz`) are
/// no instructions, so running there is an execute fault. Each decoded byte costs the host about
/// twelve, so the range may not be much larger than the file (`file_len`).
fn decode_code(
    elf: &Elf,
    segments: &[Segment],
    file_len: u64,
    bias: u64,
    writable_start: u64,
) -> Result<Code, LoadError> {
    let executable = elf.program_headers.iter().enumerate().filter(|(_, ph)| {
        ph.p_type == program_header::PT_LOAD && ph.p_flags & program_header::PF_X != 0 && ph.p_memsz > 0
    });
    let (mut start, mut end) = (u64::MAX, 0);
    for (index, ph) in executable {
        if ph.p_flags & program_header::PF_W != 0 {
            return Err(LoadError::UnsupportedLayout { index });
        }
        // `load_segments` checked these sums (and `p_filesz <= p_memsz`).
        start = start.min(ph.p_vaddr + bias);
        end = end.max(ph.p_vaddr + bias + ph.p_filesz);
        if end.saturating_sub(start) > file_len + MAX_CODE_GAP {
            return Err(LoadError::BadSegment { index });
        }
    }
    if start >= end {
        return Err(LoadError::NoCode);
    }
    let end = end.min(writable_start);
    let start = start & !1;
    let mut bytes = vec![0; (end - start) as usize];
    for segment in segments {
        let lo = segment.addr.max(start);
        let hi = (segment.addr + segment.data.len() as u64).min(end);
        if lo < hi {
            let from = (lo - segment.addr) as usize;
            bytes[(lo - start) as usize..(hi - start) as usize]
                .copy_from_slice(&segment.data[from..from + (hi - lo) as usize]);
        }
    }
    Ok(Code::decode(start, &bytes))
}

/// The guest address of the program headers: PT_PHDR if present, else found inside the first
/// segment that maps file offset `e_phoff`.
fn program_header_address(elf: &Elf, bias: u64) -> u64 {
    if let Some(ph) = elf.program_headers.iter().find(|ph| ph.p_type == program_header::PT_PHDR) {
        return ph.p_vaddr.wrapping_add(bias);
    }
    let phoff = elf.header.e_phoff;
    // Loadable segments without memory are not validated by `load_segments`: nothing here may
    // overflow.
    elf.program_headers
        .iter()
        .find(|ph| {
            ph.p_type == program_header::PT_LOAD
                && ph.p_offset <= phoff
                && ph.p_offset.checked_add(ph.p_filesz).is_some_and(|end| phoff < end)
        })
        .map_or(0, |ph| ph.p_vaddr.wrapping_add(phoff - ph.p_offset).wrapping_add(bias))
}

/// The symbol table: names to addresses, and addresses back to the function containing them.
pub(crate) struct Symbols {
    by_name: HashMap<Box<str>, u64>,
    /// Function symbols sorted by address: (address, size, name).
    functions: Vec<(u64, u64, Box<str>)>,
}

impl Symbols {
    fn new(elf: &Elf, bias: u64) -> Symbols {
        let mut by_name = HashMap::new();
        let mut functions = Vec::new();
        for symbol in elf.syms.iter() {
            let kind = symbol.st_type();
            let defined = symbol.st_shndx != 0 && symbol.st_value != 0;
            if !defined || !(kind == sym::STT_FUNC || kind == sym::STT_OBJECT || kind == sym::STT_NOTYPE) {
                continue;
            }
            let Some(name) = elf.strtab.get_at(symbol.st_name).filter(|n| !n.is_empty()) else {
                continue;
            };
            let addr = symbol.st_value.wrapping_add(bias);
            // A global definition wins over a local one of the same name.
            if symbol.st_bind() != sym::STB_LOCAL || !by_name.contains_key(name) {
                by_name.insert(name.into(), addr);
            }
            if kind == sym::STT_FUNC {
                functions.push((addr, symbol.st_size, name.into()));
            }
        }
        functions.sort();
        functions.dedup_by_key(|f| f.0);
        Symbols { by_name, functions }
    }

    pub fn address_of(&self, name: &str) -> Option<u64> {
        self.by_name.get(name).copied()
    }

    pub fn symbol_at(&self, addr: u64) -> Option<(&str, u64)> {
        let index = self.functions.partition_point(|f| f.0 <= addr).checked_sub(1)?;
        let (start, size, name) = &self.functions[index];
        let offset = addr - start;
        (*size == 0 || offset < *size).then_some((name, offset))
    }

    pub fn functions(&self) -> impl Iterator<Item = (&str, u64)> {
        self.functions.iter().map(|(addr, _, name)| (&**name, *addr))
    }
}
