export type {
  DirectiveDef,
  DirectiveError,
  DirectiveKind,
  DirectiveName,
  DirectiveValue,
  DirectiveWarning,
  Directives,
  EffectiveDirectives,
} from './types.js';
export { DEPRECATED_NAMES, DIRECTIVES, defaultDirectives, directiveDef } from './table.js';
export { parseDirectives, suggest } from './parse.js';
export type { ParseResult } from './parse.js';
export { adjustDirectives, validateAndAdjust } from './adjust.js';
export type { AdjustResult, ValidateResult } from './adjust.js';
