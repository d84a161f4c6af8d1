/**
 * httpd's eleven scoreboard letters with mod_status's legend texts (reference: include/scoreboard.h,
 * modules/generators/mod_status.c). Colours are CSS custom properties so both themes pick their own;
 * the canvas reads them once per theme change (scoreboard/cell-palette.ts).
 */
import type { SlotLetter } from '@forkyard/protocol';

export interface SlotState {
  letter: SlotLetter;
  legend: string;
  /** Short word for tooltips and the legend's second line (mod_status's ?notable word). */
  word: string;
  /** Counted as busy by httpd's rule. */
  busy: boolean;
  cssVar: string;
}

export const SLOT_STATES: readonly SlotState[] = [
  { letter: '_', legend: 'Waiting for Connection', word: 'Ready', busy: false, cssVar: '--slot-ready' },
  { letter: 'S', legend: 'Starting up', word: 'Starting', busy: false, cssVar: '--slot-starting' },
  { letter: 'R', legend: 'Reading Request', word: 'Read', busy: true, cssVar: '--slot-read' },
  { letter: 'W', legend: 'Sending Reply', word: 'Write', busy: true, cssVar: '--slot-write' },
  { letter: 'K', legend: 'Keepalive (read)', word: 'Keepalive', busy: true, cssVar: '--slot-keepalive' },
  { letter: 'D', legend: 'DNS Lookup', word: 'DNS lookup', busy: true, cssVar: '--slot-dns' },
  { letter: 'C', legend: 'Closing connection', word: 'Closing', busy: true, cssVar: '--slot-closing' },
  { letter: 'L', legend: 'Logging', word: 'Logging', busy: true, cssVar: '--slot-logging' },
  { letter: 'G', legend: 'Gracefully finishing', word: 'Graceful', busy: false, cssVar: '--slot-graceful' },
  { letter: 'I', legend: 'Idle cleanup of worker', word: 'Dying', busy: false, cssVar: '--slot-idle-kill' },
  { letter: '.', legend: 'Open slot with no current process', word: 'Open', busy: false, cssVar: '--slot-open' },
];

const BY_LETTER = new Map<string, SlotState>(SLOT_STATES.map((s) => [s.letter, s]));

export function slotState(letter: string): SlotState {
  return BY_LETTER.get(letter) ?? BY_LETTER.get('.')!;
}

/** Index of a letter in SLOT_STATES (the canvas's palette index); unknown letters count as open. */
export function letterIndex(letter: string): number {
  const i = SLOT_STATES.findIndex((s) => s.letter === letter);
  return i < 0 ? SLOT_STATES.length - 1 : i;
}
