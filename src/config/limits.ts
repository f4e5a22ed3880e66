// Bounds on what one service file may cost to read and parse; a file past any of them is refused, never half-read.

/** Largest service file read (1 MiB): a service's keys fit in a few hundred bytes, 40k env entries in about 650 KiB. */
export const MAX_FILE_BYTES = 1024 * 1024;
/** Deepest nesting of lists and mappings; a service file needs two (env, signal). */
export const MAX_DEPTH = 32;
/** Aliases (`*name`) per file. Readers follow an alias one level, so this bounds the work and the reports, not a blow-up. */
export const MAX_ALIASES = 64;
/** Problems kept per file; the rest are counted in one closing line. */
export const MAX_ERRORS_PER_FILE = 20;
/** Files open at once while loading a directory, so thousands of files never exhaust descriptors. */
export const LOAD_CONCURRENCY = 8;
/**
 * Indentation (in columns, list and key indicators included) past which a line is refused before
 * parsing: the YAML parser recurses once per level and would exhaust the stack a few thousand deep.
 */
export const MAX_INDENT_COLUMNS = 128;
