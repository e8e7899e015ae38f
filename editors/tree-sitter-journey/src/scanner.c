// External scanner of tree-sitter-journey: the four numeric literals of grammar/journey.pest,
// with pest's look-ahead after them, which a tree-sitter regex cannot say:
//
//   percent      = ("+" | "-")? decimal "%"
//   duration_lit = ("+" | "-")? decimal ("s" | "m" | "h" | "d" | "w") !ident_char
//   number       = ("+" | "-")? decimal !(ident_char | "%" | ".")
//   signed_int   = ("+" | "-")? digit+ !("." | ident_char)
//   decimal      = digit+ ("." digit+)?
//
// So `5for` is no number followed by `for`, and `5ms` no duration: both are syntax errors,
// as in pest. The scanner keeps no state.

#include "tree_sitter/parser.h"

enum TokenType { NUMBER, PERCENT, DURATION_LIT, SIGNED_INT };

static bool is_digit(int32_t c) { return c >= '0' && c <= '9'; }

static bool is_ident_char(int32_t c) {
  return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_unit(int32_t c) {
  return c == 's' || c == 'm' || c == 'h' || c == 'd' || c == 'w';
}

void *tree_sitter_journey_external_scanner_create(void) { return NULL; }
void tree_sitter_journey_external_scanner_destroy(void *payload) { (void)payload; }
unsigned tree_sitter_journey_external_scanner_serialize(void *payload, char *buffer) {
  (void)payload;
  (void)buffer;
  return 0;
}
void tree_sitter_journey_external_scanner_deserialize(void *payload, const char *buffer,
                                                      unsigned length) {
  (void)payload;
  (void)buffer;
  (void)length;
}

bool tree_sitter_journey_external_scanner_scan(void *payload, TSLexer *lexer,
                                               const bool *valid_symbols) {
  (void)payload;
  if (!valid_symbols[NUMBER] && !valid_symbols[PERCENT] && !valid_symbols[DURATION_LIT] &&
      !valid_symbols[SIGNED_INT]) {
    return false;
  }
  // The extras that may stand before a token: pest's WHITESPACE (comments are left to the
  // grammar's `comment` token: the scanner refuses at `#`, and is called again after it).
  while (lexer->lookahead == ' ' || lexer->lookahead == '\t' || lexer->lookahead == '\r' ||
         lexer->lookahead == '\n') {
    lexer->advance(lexer, true);
  }
  if (lexer->lookahead == '+' || lexer->lookahead == '-') {
    lexer->advance(lexer, false);
  }
  if (!is_digit(lexer->lookahead)) {
    return false;  // `->`, a name, punctuation: not a literal
  }
  while (is_digit(lexer->lookahead)) {
    lexer->advance(lexer, false);
  }
  bool whole = true;
  lexer->mark_end(lexer);
  if (lexer->lookahead == '.') {
    lexer->advance(lexer, false);
    if (!is_digit(lexer->lookahead)) {
      // `5.` or `5..`: no literal may stop before a `.`, and `5.` is no decimal.
      return false;
    }
    whole = false;
    while (is_digit(lexer->lookahead)) {
      lexer->advance(lexer, false);
    }
    lexer->mark_end(lexer);
  }
  int32_t next = lexer->lookahead;
  if (next == '%') {
    if (valid_symbols[PERCENT]) {
      lexer->advance(lexer, false);
      lexer->mark_end(lexer);
      lexer->result_symbol = PERCENT;
      return true;
    }
    // A whole number may stand before `%` as a signed_int (pest then fails on the `%`).
    if (whole && valid_symbols[SIGNED_INT]) {
      lexer->result_symbol = SIGNED_INT;
      return true;
    }
    return false;
  }
  if (next == '.') {
    return false;  // `1.5.`: the number's look-ahead refuses a `.`
  }
  if (is_unit(next)) {
    lexer->advance(lexer, false);
    if (valid_symbols[DURATION_LIT] && !is_ident_char(lexer->lookahead)) {
      lexer->mark_end(lexer);
      lexer->result_symbol = DURATION_LIT;
      return true;
    }
    return false;  // `5ms`, or a unit where only a number may stand
  }
  if (is_ident_char(next)) {
    return false;
  }
  if (valid_symbols[NUMBER]) {
    lexer->result_symbol = NUMBER;
    return true;
  }
  if (whole && valid_symbols[SIGNED_INT]) {
    lexer->result_symbol = SIGNED_INT;
    return true;
  }
  return false;
}
