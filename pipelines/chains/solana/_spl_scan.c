/*
 * SPL token movements read straight from the bytes of getTransaction answers (jsonParsed) into
 * Arrow buffers: no Python object per field or per row.
 *
 * Why C: the Python decoders (msgspec structs + walk, orjson + dict walk; _decode.py) spend most
 * of their time creating objects for fields they then read once, and msgspec's validating pass
 * alone took a third of what 10x solders allows (benchmarks/solana_decode.py). This scanner
 * validates each answer as JSON in one pass (RFC 8259, UTF-8 included), reads only the fields the
 * decoder reads, applies the decoder's rules and packs each transaction's movements; `assemble`
 * turns a run of packed transactions into column buffers that pyarrow wraps without copying
 * (_scan.py).
 *
 * Exact by declining. It implements the dict decoder's rules (`_walk`/`_decode_one` in
 * _decode.py) for the common case only: an answer it is not certain of (an error object, a
 * result that is not an object, a field of another JSON type, an escape or a non-ASCII byte in
 * a text it reads, an integer beyond int64 where it reads one, a key it reads given twice, a
 * number orjson might read otherwise, anything the dict decoder refuses) is declined whole, and
 * the Python decoders take it, so every error keeps its words. tests/test_solana_decode.py runs
 * every case (hypothesis included) through all three paths, and byte-level damage against orjson.
 *
 * Entry points: scan_answer(bytes) -> packed | None, scan_batch(bytes) -> [(id, packed)] | None,
 * assemble([packed]) -> (rows, columns). A scan holds the GIL throughout (its scratch space is
 * shared between calls).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define DECLINE (-1)
#define MAX_DEPTH 500          /* orjson refuses past 1,024 levels; decline well before */
#define MAX_KEYS 1024          /* a v0 transaction indexes at most 256 accounts */
#define MAX_BALANCES 1024
#define MAX_FOUND 4096         /* token instructions in one transaction, inner ones included */
#define MAX_AMOUNT_DIGITS 20   /* MAX_U64_DIGITS in _decode.py */
#define SIGNATURE_CHARS 88

/* ---------------------------------------------------------------- values of the fields read */

enum { V_ABSENT = 0, V_NULL, V_STR, V_BADSTR, V_INT, V_OTHER, V_OBJ };

typedef struct {
    int state;             /* V_*: V_STR is text with neither escapes nor non-ASCII bytes */
    const char *s;         /* V_STR: the text, inside the answer's buffer */
    Py_ssize_t n;
    int64_t i;             /* V_INT */
} Val;

typedef struct {
    const unsigned char *p, *end;
    int depth;
} Lex;

static inline void ws(Lex *x) {
    while (x->p < x->end && (*x->p == ' ' || *x->p == '\n' || *x->p == '\r' || *x->p == '\t')) x->p++;
}

static inline int hexval(unsigned char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* One UTF-8 sequence starting at p (a byte >= 0x80): its length, or 0 if invalid (overlong,
 * surrogate, beyond U+10FFFF, truncated): what Python's strict decoder refuses. */
static int utf8_len(const unsigned char *p, const unsigned char *end) {
    unsigned char c = p[0];
    if (c >= 0xC2 && c <= 0xDF) {
        return (end - p >= 2 && (p[1] & 0xC0) == 0x80) ? 2 : 0;
    }
    if (c >= 0xE0 && c <= 0xEF) {
        if (end - p < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80) return 0;
        if (c == 0xE0 && p[1] < 0xA0) return 0;   /* overlong */
        if (c == 0xED && p[1] >= 0xA0) return 0;  /* surrogate */
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (end - p < 4 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80) return 0;
        if (c == 0xF0 && p[1] < 0x90) return 0;   /* overlong */
        if (c == 0xF4 && p[1] >= 0x90) return 0;  /* beyond U+10FFFF */
        return 4;
    }
    return 0;
}

#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

/* The end of a string whose opening quote is at p[-1]: the address past its closing quote, or NULL
 * where it is not valid JSON text. *plain is cleared where it holds an escape or a non-ASCII byte. */
static inline const unsigned char *string_end(const unsigned char *p, const unsigned char *end, int *plain) {
    for (;;) {
#ifdef __SSE2__
        /* sixteen bytes at a time: stop at a quote, a backslash, a control or a non-ASCII byte (a signed
         * compare counts bytes >= 0x80 as below 0x20) */
        const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\'), space = _mm_set1_epi8(0x20);
        while (end - p >= 16) {
            __m128i w = _mm_loadu_si128((const __m128i *)p);
            __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(w, quote), _mm_cmpeq_epi8(w, backslash)),
                                       _mm_cmplt_epi8(w, space));
            int bits = _mm_movemask_epi8(hit);
            if (bits) {
                p += __builtin_ctz((unsigned)bits);
                goto special;
            }
            p += 16;
        }
#endif
        while (end - p >= 8) {  /* eight bytes at a time (SWAR), as above */
            uint64_t w, q, b, c;
            memcpy(&w, p, 8);
            q = w ^ (ONES * '"');
            b = w ^ (ONES * '\\');
            c = (q - ONES) & ~q;
            c |= (b - ONES) & ~b;
            c |= w - ONES * 0x20;
            c = (c | w) & HIGHS;
            if (c) {  /* the lowest flagged byte is a real one: a false flag only follows a real one */
#if defined(__GNUC__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
                p += __builtin_ctzll(c) >> 3;
#endif
                break;
            }
            p += 8;
        }
#ifdef __SSE2__
    special:
#endif
        if (p >= end) return NULL;
        unsigned char ch = *p;
        if (ch == '"') return p + 1;
        if (ch == '\\') {
            *plain = 0;
            if (end - p < 2) return NULL;
            ch = p[1];
            if (ch == 'u') {
                int code = 0;
                if (end - p < 6) return NULL;
                for (int k = 2; k < 6; k++) {
                    int h = hexval(p[k]);
                    if (h < 0) return NULL;
                    code = code * 16 + h;
                }
                if (code >= 0xD800 && code <= 0xDFFF) return NULL;  /* surrogates: leave them to orjson */
                p += 6;
            } else if (ch == '"' || ch == '\\' || ch == '/' || ch == 'b' || ch == 'f' || ch == 'n' || ch == 'r'
                       || ch == 't') {
                p += 2;
            } else {
                return NULL;
            }
            continue;
        }
        if (ch < 0x20) return NULL;
        if (ch >= 0x80) {
            int n = utf8_len(p, end);
            if (!n) return NULL;
            *plain = 0;
            p += n;
            continue;
        }
        p++;
    }
}

/* A string at x->p (an opening quote). Sets *v to V_STR (plain ASCII, no escapes) or V_BADSTR. */
static inline int scan_string(Lex *x, Val *v) {
    int plain = 1;
    const unsigned char *start = x->p + 1, *after = string_end(start, x->end, &plain);
    if (!after) return DECLINE;
    v->state = plain ? V_STR : V_BADSTR;
    v->s = (const char *)start;
    v->n = after - 1 - start;
    x->p = after;
    return 0;
}

/* The end of a number at p, or NULL. With v, sets it to V_INT where the number is an integer within
 * int64, V_OTHER otherwise. Declines a number whose value orjson might not read (very long, or an
 * exponent of three digits or more). */
static inline const unsigned char *number_end(const unsigned char *p, const unsigned char *end, Val *v) {
    const unsigned char *start = p;
    int negative = 0, integer = 1;
    uint64_t magnitude = 0;
    int overflow = 0;
    if (p < end && *p == '-') { negative = 1; p++; }
    if (p >= end) return NULL;
    if (*p == '0') {
        p++;
    } else if (*p >= '1' && *p <= '9') {
        while (p < end && *p >= '0' && *p <= '9') {
            unsigned d = *p - '0';
            if (magnitude > (UINT64_MAX - d) / 10) overflow = 1; else magnitude = magnitude * 10 + d;
            p++;
        }
    } else {
        return NULL;
    }
    if (p < end && *p == '.') {
        integer = 0;
        p++;
        if (p >= end || *p < '0' || *p > '9') return NULL;
        while (p < end && *p >= '0' && *p <= '9') p++;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        const unsigned char *digits;
        integer = 0;
        p++;
        if (p < end && (*p == '+' || *p == '-')) p++;
        digits = p;
        if (p >= end || *p < '0' || *p > '9') return NULL;
        while (p < end && *p >= '0' && *p <= '9') p++;
        if (p - digits > 2) return NULL;
    }
    if (p - start > 64) return NULL;
    if (v) {
        v->state = V_OTHER;
        if (integer && !overflow) {
            if (!negative && magnitude <= (uint64_t)INT64_MAX) {
                v->state = V_INT;
                v->i = (int64_t)magnitude;
            } else if (negative && magnitude <= (uint64_t)INT64_MAX + 1) {
                v->state = V_INT;
                v->i = magnitude == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)magnitude;
            }
        }
    }
    return p;
}

static inline int scan_number(Lex *x, Val *v) {
    const unsigned char *after = number_end(x->p, x->end, v);
    if (!after) return DECLINE;
    x->p = after;
    return 0;
}

static int literal(Lex *x, const char *word, size_t n) {
    if ((size_t)(x->end - x->p) < n || memcmp(x->p, word, n) != 0) return DECLINE;
    x->p += n;
    return 0;
}

static int skip_value(Lex *x);

/* Object and array walking: open_container consumes the opening bracket and says whether a
 * member (an item) follows before `close`. */
static int open_container(Lex *x, unsigned char close) {
    if (++x->depth > MAX_DEPTH) return DECLINE;
    x->p++;
    ws(x);
    if (x->p < x->end && *x->p == close) { x->p++; x->depth--; return 0; }
    return 1;
}

/* A member's key (plain text, or V_BADSTR: a key with escapes), then the colon. */
static int obj_key(Lex *x, Val *key) {
    if (x->p >= x->end || *x->p != '"' || scan_string(x, key) < 0) return DECLINE;
    ws(x);
    if (x->p >= x->end || *x->p != ':') return DECLINE;
    x->p++;
    ws(x);
    return 0;
}

/* After a member or item: 1 if another follows, 0 at the closing bracket. */
static int next_member(Lex *x, unsigned char close) {
    ws(x);
    if (x->p >= x->end) return DECLINE;
    if (*x->p == ',') { x->p++; ws(x); return 1; }
    if (*x->p == close) { x->p++; x->depth--; return 0; }
    return DECLINE;
}

/* Any value, read into *v: text, null, an integer; objects, arrays, floats and booleans are
 * validated and skipped (V_OTHER). */
static int read_value(Lex *x, Val *v) {
    if (x->p >= x->end) return DECLINE;
    switch (*x->p) {
    case '"':
        return scan_string(x, v);
    case 'n':
        v->state = V_NULL;
        return literal(x, "null", 4);
    case 't':
        v->state = V_OTHER;
        return literal(x, "true", 4);
    case 'f':
        v->state = V_OTHER;
        return literal(x, "false", 5);
    case '{':
    case '[':
        v->state = V_OTHER;
        return skip_value(x);
    default:
        return scan_number(x, v);
    }
}

#define SKIP_WS(p, end) while ((p) < (end) && (*(p) == ' ' || *(p) == '\n' || *(p) == '\r' || *(p) == '\t')) (p)++

/* Validate and step over any value, in one loop (no call per member): most of an answer's bytes
 * are in fields no decoder reads (log messages, lamport balances, other programs' instructions). */
static int skip_value(Lex *x) {
    unsigned char open[MAX_DEPTH + 1];  /* '{' or '[' of each container entered */
    int top = 0, plain;
    const unsigned char *p = x->p, *end = x->end;
value:
    if (p >= end) return DECLINE;
    switch (*p) {
    case '"':
        if (!(p = string_end(p + 1, end, &plain))) return DECLINE;
        break;
    case '{':
    case '[':
        if (x->depth + top + 1 > MAX_DEPTH) return DECLINE;
        open[top++] = *p++;
        SKIP_WS(p, end);
        if (p < end && *p == (open[top - 1] == '{' ? '}' : ']')) {
            p++;
            top--;
            break;
        }
        if (open[top - 1] == '[') goto value;
        goto key;
    case 't':
        if (end - p < 4 || memcmp(p, "true", 4)) return DECLINE;
        p += 4;
        break;
    case 'f':
        if (end - p < 5 || memcmp(p, "false", 5)) return DECLINE;
        p += 5;
        break;
    case 'n':
        if (end - p < 4 || memcmp(p, "null", 4)) return DECLINE;
        p += 4;
        break;
    default:
        if (!(p = number_end(p, end, NULL))) return DECLINE;
    }
    /* after a value */
    while (top > 0) {
        SKIP_WS(p, end);
        if (p >= end) return DECLINE;
        if (*p == ',') {
            p++;
            SKIP_WS(p, end);
            if (open[top - 1] == '[') goto value;
            goto key;
        }
        if (*p != (open[top - 1] == '{' ? '}' : ']')) return DECLINE;
        p++;
        top--;
    }
    x->p = p;
    return 0;
key:
    if (p >= end || *p != '"' || !(p = string_end(p + 1, end, &plain))) return DECLINE;
    SKIP_WS(p, end);
    if (p >= end || *p != ':') return DECLINE;
    p++;
    SKIP_WS(p, end);
    goto value;
}

/* Is the key (a member name just read) `name`? A key with escapes could be any name: decline. */
#define KEY_IS(key, name) ((key).state == V_STR && (key).n == (Py_ssize_t)(sizeof(name) - 1) \
                           && memcmp((key).s, name, sizeof(name) - 1) == 0)

/* Read the value of a member that must appear once: a second one declines (orjson keeps the last). */
static inline int read_once(Lex *x, Val *v) {
    if (v->state != V_ABSENT) return DECLINE;
    return read_value(x, v);
}

static inline int is_plain_or_null(const Val *v) { return v->state == V_STR || v->state == V_NULL; }

static inline int same_text(const Val *a, const Val *b) {
    return a->state == V_STR && b->state == V_STR && a->n == b->n && memcmp(a->s, b->s, a->n) == 0;
}

/* ---------------------------------------------------------------- one transaction's fields */

enum { F_ACCOUNT, F_AMOUNT, F_AUTHORITY, F_DESTINATION, F_MINT, F_MINT_AUTHORITY, F_MULTISIG_AUTHORITY,
       F_MULTISIG_MINT_AUTHORITY, F_SOURCE, F_COUNT };
static const char *const INFO_FIELDS[F_COUNT] = {"account", "amount", "authority", "destination", "mint",
                                                  "mintAuthority", "multisigAuthority", "multisigMintAuthority",
                                                  "source"};
static const size_t INFO_FIELD_LENGTHS[F_COUNT] = {7, 6, 9, 11, 4, 13, 17, 21, 6};

typedef struct {
    int64_t outer, inner;  /* inner -1: a top-level instruction */
    int64_t order;         /* position found: ties keep it (Python's sort is stable) */
    Val program_id;
    int parsed;            /* V_OBJ, or another kind (a memo's text, null): not a parsed instruction */
    Val type;
    int info;              /* V_ABSENT, V_OBJ, or another kind */
    Val field[F_COUNT];
    int token_amount;      /* V_ABSENT, V_NULL, V_OBJ, or another kind */
    Val ta_amount, ta_decimals;
} Instruction;

typedef struct {
    Val index, mint, owner, decimals;
    int ui_token_amount;
} Balance;

typedef struct {
    Val block_time, slot, err;
    int has_meta, has_transaction, has_message, has_keys, has_instructions, has_signatures;
    int has_inner, has_loaded, has_pre, has_post;
    Val signature;         /* the first signature */
    Val *signatures;
    Val *keys;
    Py_ssize_t n_keys;
    Val *loaded_writable, *loaded_readonly;
    Py_ssize_t n_writable, n_readonly;
    int has_writable, has_readonly;
    Balance *pre, *post;
    Py_ssize_t n_pre, n_post;
    Instruction *found;
    Py_ssize_t n_found;
    int64_t order;
} Tx;

static const char *const TOKEN_PROGRAMS[2] = {"TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA",
                                              "TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb"};

static int is_token_program(const Val *v) {
    /* both ids are 43 characters */
    return v->n == 43 && (memcmp(v->s, TOKEN_PROGRAMS[0], 43) == 0 || memcmp(v->s, TOKEN_PROGRAMS[1], 43) == 0);
}

/* The object at x->p, member by member: `read` gets each key (plain text: a key with escapes
 * could be any name, so it declines) with x->p at the member's value, and reads or skips it. */
typedef int (*MemberReader)(Lex *x, const Val *key, void *into);

static inline int each_member(Lex *x, MemberReader read, void *into) {
    int more;
    if (!(x->p < x->end && *x->p == '{')) return DECLINE;
    if ((more = open_container(x, '}')) < 0) return DECLINE;
    while (more) {
        Val key;
        if (obj_key(x, &key) < 0 || key.state == V_BADSTR || read(x, &key, into) < 0) return DECLINE;
        if ((more = next_member(x, '}')) < 0) return DECLINE;
    }
    return 0;
}

/* The array at x->p, item by item: `read` reads each one. */
typedef int (*ItemReader)(Lex *x, void *into);

static inline int each_item(Lex *x, ItemReader read, void *into) {
    int more;
    if (!(x->p < x->end && *x->p == '[')) return DECLINE;
    if ((more = open_container(x, ']')) < 0) return DECLINE;
    while (more) {
        if (read(x, into) < 0) return DECLINE;
        if ((more = next_member(x, ']')) < 0) return DECLINE;
    }
    return 0;
}

static inline int at_null(const Lex *x) { return x->p < x->end && *x->p == 'n'; }

/* A member the decoder reads member by member where it is an object, and tells apart by kind
 * otherwise (null, text, anything else): *kind becomes V_OBJ or the value's V_* state. */
static int object_member(Lex *x, int *kind, MemberReader read, void *into) {
    if (*kind != V_ABSENT) return DECLINE;  /* given twice */
    if (x->p < x->end && *x->p == '{') {
        *kind = V_OBJ;
        return each_member(x, read, into);
    }
    Val v = {0};
    if (read_value(x, &v) < 0) return DECLINE;
    *kind = v.state;
    return 0;
}

/* instruction.parsed.info.tokenAmount {amount, decimals} */
static int token_amount_member(Lex *x, const Val *key, void *into) {
    Instruction *ins = into;
    if (KEY_IS(*key, "amount")) return read_once(x, &ins->ta_amount);
    if (KEY_IS(*key, "decimals")) return read_once(x, &ins->ta_decimals);
    return skip_value(x);
}

/* instruction.parsed.info: the movement fields */
static int info_member(Lex *x, const Val *key, void *into) {
    Instruction *ins = into;
    if (KEY_IS(*key, "tokenAmount")) return object_member(x, &ins->token_amount, token_amount_member, ins);
    for (int f = 0; f < F_COUNT; f++)
        if ((size_t)key->n == INFO_FIELD_LENGTHS[f] && memcmp(key->s, INFO_FIELDS[f], INFO_FIELD_LENGTHS[f]) == 0)
            return read_once(x, &ins->field[f]);
    return skip_value(x);
}

/* instruction.parsed {type, info} */
static int parsed_member(Lex *x, const Val *key, void *into) {
    Instruction *ins = into;
    if (KEY_IS(*key, "type")) return read_once(x, &ins->type);
    if (KEY_IS(*key, "info")) return object_member(x, &ins->info, info_member, ins);
    return skip_value(x);
}

/* an instruction {programId, parsed} */
static int instruction_member(Lex *x, const Val *key, void *into) {
    Instruction *ins = into;
    if (KEY_IS(*key, "programId")) return read_once(x, &ins->program_id);
    if (KEY_IS(*key, "parsed")) return object_member(x, &ins->parsed, parsed_member, ins);  /* or a memo's text */
    return skip_value(x);
}

/* Where the instructions of an array go: top-level ones (outer -1: numbered by their place) or
 * an inner group's (numbered by place within the group). */
typedef struct {
    Tx *tx;
    int64_t group;  /* the outer index of an inner group, -1 for the top level */
    int64_t next;
} Instructions;

/* One instruction; kept (in tx->found) only if its program is a token program. */
static int instruction_item(Lex *x, void *into) {
    Instructions *at = into;
    Instruction ins;
    memset(&ins, 0, sizeof ins);
    int64_t place = at->next++;
    if (each_member(x, instruction_member, &ins) < 0) return DECLINE;  /* not an object: the dict decoder refuses it */
    if (ins.program_id.state == V_STR) {
        if (!is_token_program(&ins.program_id)) return 0;
    } else if (ins.program_id.state == V_NULL || ins.program_id.state == V_ABSENT) {
        return 0;
    } else {
        return DECLINE;  /* a programId of another type, or text with escapes */
    }
    if (at->tx->n_found >= MAX_FOUND) return DECLINE;
    ins.outer = at->group < 0 ? place : at->group;
    ins.inner = at->group < 0 ? -1 : place;
    ins.order = at->tx->order++;
    at->tx->found[at->tx->n_found++] = ins;
    return 0;
}

static int read_instructions(Lex *x, Tx *tx, int64_t group) {
    Instructions at = {tx, group, 0};
    return each_item(x, instruction_item, &at);
}

/* meta.innerInstructions[]: {index, instructions}. A node sends the index first (it sorts keys);
 * a group whose index comes after its instructions has them read on a second pass. */
typedef struct {
    Tx *tx;
    Val index;
    int seen_instructions, read_already, depth;
    const unsigned char *instructions_at;
} InnerGroup;

static int inner_group_member(Lex *x, const Val *key, void *into) {
    InnerGroup *g = into;
    if (KEY_IS(*key, "index")) {
        if (read_once(x, &g->index) < 0) return DECLINE;
        return g->index.state == V_INT && g->index.i >= 0 ? 0 : DECLINE;  /* -1 stands for "top level" */
    }
    if (KEY_IS(*key, "instructions")) {
        if (g->seen_instructions++) return DECLINE;
        if (g->index.state == V_INT) {
            g->read_already = 1;
            return read_instructions(x, g->tx, g->index.i);
        }
        g->instructions_at = x->p;
        g->depth = x->depth;
        return skip_value(x);
    }
    return skip_value(x);
}

static int inner_group_item(Lex *x, void *into) {
    InnerGroup g = {.tx = into};
    if (each_member(x, inner_group_member, &g) < 0) return DECLINE;
    if (g.index.state != V_INT || !g.seen_instructions) return DECLINE;
    if (g.read_already) return 0;
    Lex again = {g.instructions_at, x->end, g.depth};
    return read_instructions(&again, g.tx, g.index.i);
}

/* meta.pre/postTokenBalances[]: {accountIndex, mint, owner, uiTokenAmount: {decimals}} */
typedef struct {
    Balance *list;
    Py_ssize_t *n;
} Balances;

static int ui_token_amount_member(Lex *x, const Val *key, void *into) {
    Balance *b = into;
    return KEY_IS(*key, "decimals") ? read_once(x, &b->decimals) : skip_value(x);
}

static int balance_member(Lex *x, const Val *key, void *into) {
    Balance *b = into;
    if (KEY_IS(*key, "accountIndex")) return read_once(x, &b->index);
    if (KEY_IS(*key, "mint")) return read_once(x, &b->mint);
    if (KEY_IS(*key, "owner")) return read_once(x, &b->owner);
    if (KEY_IS(*key, "uiTokenAmount")) {
        if (b->ui_token_amount++) return DECLINE;
        return each_member(x, ui_token_amount_member, b);
    }
    return skip_value(x);
}

static int balance_item(Lex *x, void *into) {
    Balances *at = into;
    if (*at->n >= MAX_BALANCES) return DECLINE;
    Balance *b = &at->list[(*at->n)++];
    memset(b, 0, sizeof *b);
    if (each_member(x, balance_member, b) < 0) return DECLINE;
    /* what the dict decoder requires of a balance (it refuses anything else) */
    if (b->index.state != V_INT || !is_plain_or_null(&b->mint) || b->decimals.state != V_INT) return DECLINE;
    return b->owner.state == V_ABSENT || is_plain_or_null(&b->owner) ? 0 : DECLINE;
}

static int read_balances(Lex *x, Balance *list, Py_ssize_t *n, int *seen) {
    Balances at = {list, n};
    if ((*seen)++) return DECLINE;
    return at_null(x) ? literal(x, "null", 4) : each_item(x, balance_item, &at);
}

/* Arrays of plain texts: lookup-table addresses, signatures. */
typedef struct {
    Val *list;
    Py_ssize_t *n;
} Texts;

static int text_item(Lex *x, void *into) {
    Texts *at = into;
    if (*at->n >= MAX_KEYS) return DECLINE;
    Val *v = &at->list[(*at->n)++];
    v->state = V_ABSENT;
    return read_value(x, v) < 0 || v->state != V_STR ? DECLINE : 0;
}

static int read_texts(Lex *x, Val *list, Py_ssize_t *n, int *seen) {
    Texts at = {list, n};
    if ((*seen)++) return DECLINE;
    return at_null(x) ? literal(x, "null", 4) : each_item(x, text_item, &at);
}

/* meta.loadedAddresses {writable, readonly} */
static int loaded_member(Lex *x, const Val *key, void *into) {
    Tx *tx = into;
    if (KEY_IS(*key, "writable")) return read_texts(x, tx->loaded_writable, &tx->n_writable, &tx->has_writable);
    if (KEY_IS(*key, "readonly")) return read_texts(x, tx->loaded_readonly, &tx->n_readonly, &tx->has_readonly);
    return skip_value(x);
}

static int meta_member(Lex *x, const Val *key, void *into) {
    Tx *tx = into;
    if (KEY_IS(*key, "err")) return read_once(x, &tx->err);
    if (KEY_IS(*key, "innerInstructions")) {
        if (tx->has_inner++) return DECLINE;
        return at_null(x) ? literal(x, "null", 4) : each_item(x, inner_group_item, tx);
    }
    if (KEY_IS(*key, "loadedAddresses")) {
        if (tx->has_loaded++) return DECLINE;
        return at_null(x) ? literal(x, "null", 4) : each_member(x, loaded_member, tx);
    }
    if (KEY_IS(*key, "preTokenBalances")) return read_balances(x, tx->pre, &tx->n_pre, &tx->has_pre);
    if (KEY_IS(*key, "postTokenBalances")) return read_balances(x, tx->post, &tx->n_post, &tx->has_post);
    return skip_value(x);
}

/* transaction.message.accountKeys[]: {pubkey, ...} (jsonParsed) */
static int account_key_member(Lex *x, const Val *key, void *into) {
    return KEY_IS(*key, "pubkey") ? read_once(x, into) : skip_value(x);
}

static int account_key_item(Lex *x, void *into) {
    Tx *tx = into;
    Val pubkey = {0};
    if (tx->n_keys >= MAX_KEYS || each_member(x, account_key_member, &pubkey) < 0) return DECLINE;
    if (pubkey.state != V_STR) return DECLINE;
    tx->keys[tx->n_keys++] = pubkey;
    return 0;
}

static int message_member(Lex *x, const Val *key, void *into) {
    Tx *tx = into;
    if (KEY_IS(*key, "accountKeys")) return tx->has_keys++ ? DECLINE : each_item(x, account_key_item, tx);
    if (KEY_IS(*key, "instructions")) return tx->has_instructions++ ? DECLINE : read_instructions(x, tx, -1);
    return skip_value(x);
}

static int body_member(Lex *x, const Val *key, void *into) {
    Tx *tx = into;
    if (KEY_IS(*key, "message")) {
        if (tx->has_message++ || each_member(x, message_member, tx) < 0) return DECLINE;
        return tx->has_keys && tx->has_instructions ? 0 : DECLINE;
    }
    if (KEY_IS(*key, "signatures")) {
        Py_ssize_t n = 0;
        if (read_texts(x, tx->signatures, &n, &tx->has_signatures) < 0) return DECLINE;
        if (n > 0) tx->signature = tx->signatures[0];
        return 0;
    }
    return skip_value(x);
}

static int transaction_member(Lex *x, const Val *key, void *into) {
    Tx *tx = into;
    if (KEY_IS(*key, "blockTime")) return read_once(x, &tx->block_time);
    if (KEY_IS(*key, "slot")) return read_once(x, &tx->slot);
    if (KEY_IS(*key, "meta")) {
        if (tx->has_meta++) return DECLINE;
        if (each_member(x, meta_member, tx) < 0) return DECLINE;
        return tx->err.state == V_ABSENT ? DECLINE : 0;
    }
    if (KEY_IS(*key, "transaction")) {
        if (tx->has_transaction++ || each_member(x, body_member, tx) < 0) return DECLINE;
        return tx->has_message ? 0 : DECLINE;
    }
    return skip_value(x);
}

/* A getTransaction result (an object; a null result declines, and the caller names it). */
static int read_transaction(Lex *x, Tx *tx) {
    if (each_member(x, transaction_member, tx) < 0) return DECLINE;
    if (!tx->has_meta || !tx->has_transaction) return DECLINE;
    if (!(tx->block_time.state == V_INT || tx->block_time.state == V_NULL || tx->block_time.state == V_ABSENT))
        return DECLINE;
    return tx->slot.state == V_INT || tx->slot.state == V_NULL || tx->slot.state == V_ABSENT ? 0 : DECLINE;
}

/* ---------------------------------------------------------------- packed rows */

typedef struct {
    char *data;
    size_t len, cap;
} Buf;

static int buf_put(Buf *b, const void *src, size_t n) {
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n) cap *= 2;
        char *grown = realloc(b->data, cap);
        if (!grown) return DECLINE;
        b->data = grown;
        b->cap = cap;
    }
    memcpy(b->data + b->len, src, n);
    b->len += n;
    return 0;
}

/* One movement as packed for `assemble`: this head, then its texts' characters in T_* order
 * (a length of -1 is null). Packing per answer lets each answer's movements travel as one bytes
 * object through the JSON-RPC layer, whatever order a batch's answers come in. */
enum { T_SIGNATURE, T_INSTRUCTION, T_KIND, T_PROGRAM_ID, T_MINT, T_SOURCE, T_DESTINATION, T_FROM, T_TO,
       T_AUTHORITY, TEXTS };

typedef struct {
    int64_t slot, micros;
    uint64_t amount[2];  /* u128, low word first */
    int32_t outer, inner, decimals;  /* inner and decimals: -1 for null */
    int32_t lengths[TEXTS];
} Row;

static int pack_row(Buf *out, Row *row, const char *const texts[TEXTS], const Py_ssize_t lengths[TEXTS]) {
    for (int t = 0; t < TEXTS; t++) {
        if (lengths[t] > INT32_MAX) return DECLINE;
        row->lengths[t] = (int32_t)lengths[t];
    }
    if (buf_put(out, row, sizeof *row) < 0) return DECLINE;
    for (int t = 0; t < TEXTS; t++)
        if (lengths[t] > 0 && buf_put(out, texts[t], (size_t)lengths[t]) < 0) return DECLINE;
    return 0;
}

/* ---------------------------------------------------------------- the dict decoder's rules */

static const char ZERO_PUBKEY[] = "11111111111111111111111111111111";

static const char *movement_kind(const Val *type) {
    static const char *const TYPES[6] = {"transfer", "transferChecked", "mintTo", "mintToChecked", "burn",
                                         "burnChecked"};
    static const char *const KINDS[6] = {"transfer", "transfer", "mint", "mint", "burn", "burn"};
    for (int k = 0; k < 6; k++) {
        size_t n = strlen(TYPES[k]);
        if ((size_t)type->n == n && memcmp(type->s, TYPES[k], n) == 0) return KINDS[k];
    }
    return NULL;
}

/* The last balance (pre, then post) of `account`: what `mints`/`decimals` hold for it; with
 * `owner_only`, the last one with a non-empty owner (`owners`). NULL where there is none. */
static const Balance *balance_of(const Tx *tx, const Val *const *account_of_post, const Val *const *account_of_pre,
                                 const Val *account, int owner_only) {
    if (account->state != V_STR) return NULL;  /* null: no text key equals it */
    for (Py_ssize_t k = tx->n_post - 1; k >= 0; k--) {
        const Balance *b = &tx->post[k];
        if (same_text(account_of_post[k], account) && (!owner_only || (b->owner.state == V_STR && b->owner.n > 0)))
            return b;
    }
    for (Py_ssize_t k = tx->n_pre - 1; k >= 0; k--) {
        const Balance *b = &tx->pre[k];
        if (same_text(account_of_pre[k], account) && (!owner_only || (b->owner.state == V_STR && b->owner.n > 0)))
            return b;
    }
    return NULL;
}

/* `a or b` of two optional texts, as Python evaluates it (an empty text is falsy). */
static const Val *either(const Val *a, const Val *b) {
    return a->state == V_STR && a->n > 0 ? a : b;
}

static const Val NONE = {V_NULL, NULL, 0, 0};

static int compare_found(const void *pa, const void *pb) {
    const Instruction *a = pa, *b = pb;
    if (a->outer != b->outer) return a->outer < b->outer ? -1 : 1;
    if (a->inner != b->inner) return a->inner < b->inner ? -1 : 1;
    return a->order < b->order ? -1 : (a->order > b->order);
}

/* The rows of one read transaction, packed onto `out`; DECLINE where the dict decoder refuses it
 * or would read it in a way these rules do not cover (the caller drops what was packed). */
static int emit(Tx *tx, Buf *out) {
    if (tx->err.state != V_NULL) return 0;  /* failed: moved nothing */
    if (tx->n_found == 0) return 0;
    if (tx->slot.state != V_INT || tx->slot.i < 0) return DECLINE;
    if (tx->block_time.state != V_INT) return DECLINE;
    if (tx->block_time.i > INT64_MAX / 1000000 || tx->block_time.i < INT64_MIN / 1000000) return DECLINE;
    qsort(tx->found, (size_t)tx->n_found, sizeof(Instruction), compare_found);

    /* keys: static ones, then the lookup tables' writable and readonly ones */
    for (Py_ssize_t k = 0; k < tx->n_writable; k++) {
        if (tx->n_keys >= MAX_KEYS) return DECLINE;
        tx->keys[tx->n_keys++] = tx->loaded_writable[k];
    }
    for (Py_ssize_t k = 0; k < tx->n_readonly; k++) {
        if (tx->n_keys >= MAX_KEYS) return DECLINE;
        tx->keys[tx->n_keys++] = tx->loaded_readonly[k];
    }
    const Val *post_accounts[MAX_BALANCES], *pre_accounts[MAX_BALANCES];
    for (int side = 0; side < 2; side++) {
        const Balance *list = side ? tx->post : tx->pre;
        Py_ssize_t n = side ? tx->n_post : tx->n_pre;
        const Val **accounts = side ? post_accounts : pre_accounts;
        for (Py_ssize_t k = 0; k < n; k++) {
            int64_t at = list[k].index.i;
            if (at < 0) at += tx->n_keys;  /* Python's negative indexes */
            if (at < 0 || at >= tx->n_keys) return DECLINE;
            accounts[k] = &tx->keys[at];
        }
    }

    Val signature = tx->signature;
    if (signature.state == V_STR) {
        if (signature.n > SIGNATURE_CHARS) signature.n = SIGNATURE_CHARS;
    }
    const char *sig = signature.state == V_STR ? signature.s : "unknown";
    Py_ssize_t sig_n = signature.state == V_STR ? signature.n : 7;
    int64_t micros = tx->block_time.i * 1000000;

    for (Py_ssize_t k = 0; k < tx->n_found; k++) {
        const Instruction *ins = &tx->found[k];
        if (ins->parsed != V_OBJ) continue;      /* not parsed, or text (the dict decoder skips it) */
        if (ins->type.state == V_BADSTR) return DECLINE;
        if (ins->type.state != V_STR) continue;  /* absent, null or not text: not a movement */
        const char *kind = movement_kind(&ins->type);
        if (!kind) continue;
        if (ins->info != V_OBJ) return DECLINE;
        for (int f = 0; f < F_COUNT; f++) {  /* every field read is text, null or absent */
            int s = ins->field[f].state;
            if (!(s == V_ABSENT || s == V_NULL || s == V_STR)) return DECLINE;
        }
        const Val *amount;
        int has_decimals = 0;
        int64_t decimals = 0;
        if (ins->token_amount == V_OBJ) {
            if (ins->ta_decimals.state != V_INT) return DECLINE;
            amount = &ins->ta_amount;
            has_decimals = 1;
            decimals = ins->ta_decimals.i;
        } else if (ins->token_amount == V_ABSENT || ins->token_amount == V_NULL) {
            amount = &ins->field[F_AMOUNT];
        } else {
            return DECLINE;
        }
        const Val *source, *destination, *mint, *from, *to, *authority;
        const Val *const *post = post_accounts, *const *pre = pre_accounts;
        const Balance *b;
        Val zero = {V_STR, ZERO_PUBKEY, (Py_ssize_t)strlen(ZERO_PUBKEY), 0};
        if (kind[0] == 't') {
            source = &ins->field[F_SOURCE];
            destination = &ins->field[F_DESTINATION];
            if (source->state == V_ABSENT || destination->state == V_ABSENT) return DECLINE;
            /* info.get("mint") or mints.get(source) or mints.get(destination) */
            mint = &ins->field[F_MINT];
            if (!(mint->state == V_STR && mint->n > 0)) {
                b = balance_of(tx, post, pre, source, 0);
                const Val *by_source = b ? &b->mint : &NONE;
                if (by_source->state == V_STR && by_source->n > 0) {
                    mint = by_source;
                } else {
                    b = balance_of(tx, post, pre, destination, 0);
                    mint = b ? &b->mint : &NONE;
                }
            }
            b = balance_of(tx, post, pre, source, 1);
            from = b ? &b->owner : source;
            b = balance_of(tx, post, pre, destination, 1);
            to = b ? &b->owner : destination;
            authority = either(&ins->field[F_AUTHORITY], &ins->field[F_MULTISIG_AUTHORITY]);
            if (!has_decimals) {
                b = balance_of(tx, post, pre, source, 0);
                if (!b) b = balance_of(tx, post, pre, destination, 0);
                if (b) { has_decimals = 1; decimals = b->decimals.i; }
            }
        } else if (kind[0] == 'm') {
            source = &NONE;
            destination = &ins->field[F_ACCOUNT];
            mint = &ins->field[F_MINT];
            if (destination->state == V_ABSENT || mint->state == V_ABSENT) return DECLINE;
            from = &zero;
            b = balance_of(tx, post, pre, destination, 1);
            to = b ? &b->owner : destination;
            authority = either(&ins->field[F_MINT_AUTHORITY], &ins->field[F_MULTISIG_MINT_AUTHORITY]);
            if (!has_decimals && (b = balance_of(tx, post, pre, destination, 0))) {
                has_decimals = 1;
                decimals = b->decimals.i;
            }
        } else {
            source = &ins->field[F_ACCOUNT];
            destination = &NONE;
            mint = &ins->field[F_MINT];
            if (source->state == V_ABSENT || mint->state == V_ABSENT) return DECLINE;
            b = balance_of(tx, post, pre, source, 1);
            from = b ? &b->owner : source;
            to = &zero;
            authority = either(&ins->field[F_AUTHORITY], &ins->field[F_MULTISIG_AUTHORITY]);
            if (!has_decimals && (b = balance_of(tx, post, pre, source, 0))) {
                has_decimals = 1;
                decimals = b->decimals.i;
            }
        }
        /* amount: a u64 in decimal text (the dict decoder: isdigit, at most 20 characters) */
        if (amount->state != V_STR || amount->n == 0 || amount->n > MAX_AMOUNT_DIGITS) return DECLINE;
        unsigned __int128 value = 0;
        for (Py_ssize_t d = 0; d < amount->n; d++) {
            unsigned char ch = (unsigned char)amount->s[d];
            if (ch < '0' || ch > '9') return DECLINE;
            value = value * 10 + (ch - '0');
        }
        if (has_decimals && (decimals < 0 || decimals > 255)) return DECLINE;
        if (ins->outer > INT32_MAX || ins->inner > INT32_MAX) return DECLINE;

        Row row;
        memset(&row, 0, sizeof row);  /* padding included: packed bytes depend on the answer alone */
        row.slot = tx->slot.i;
        row.micros = micros;
        row.amount[0] = (uint64_t)value;
        row.amount[1] = (uint64_t)(value >> 64);
        row.outer = (int32_t)ins->outer;
        row.inner = (int32_t)ins->inner;
        row.decimals = has_decimals ? (int32_t)decimals : -1;
        const char *texts[TEXTS];
        Py_ssize_t lengths[TEXTS];
        const Val *vals[TEXTS] = {NULL, &ins->type, NULL, &ins->program_id, mint, source, destination, from, to,
                                  authority};
        for (int t = 0; t < TEXTS; t++) {
            texts[t] = vals[t] && vals[t]->state == V_STR ? vals[t]->s : NULL;
            lengths[t] = texts[t] ? vals[t]->n : -1;
        }
        texts[T_SIGNATURE] = sig;
        lengths[T_SIGNATURE] = sig_n;
        texts[T_KIND] = kind;
        lengths[T_KIND] = (Py_ssize_t)strlen(kind);
        if (pack_row(out, &row, texts, lengths) < 0) return DECLINE;
    }
    return 0;
}

/* ---------------------------------------------------------------- JSON-RPC answers */

typedef struct {
    Val keys[MAX_KEYS], writable[MAX_KEYS], readonly[MAX_KEYS], signatures[MAX_KEYS];
    Balance pre[MAX_BALANCES], post[MAX_BALANCES];
    Instruction found[MAX_FOUND];
} Scratch;

static Scratch *scratch;  /* kept between calls: a scan never lets go of the GIL, so one runs at a time */

/* One JSON-RPC answer object at x->p: its result's movements packed onto `out`, its id in `id`.
 * Declines an error object, a result that is not a transaction read by the rules above, and a
 * member given twice. */
typedef struct {
    Buf *out;
    Val *id, error;
    int seen_result;
} Answer;

static int answer_member(Lex *x, const Val *key, void *into) {
    Answer *a = into;
    if (KEY_IS(*key, "result")) {
        Tx tx;
        if (a->seen_result++) return DECLINE;
        memset(&tx, 0, sizeof tx);
        tx.keys = scratch->keys;
        tx.signatures = scratch->signatures;
        tx.loaded_writable = scratch->writable;
        tx.loaded_readonly = scratch->readonly;
        tx.pre = scratch->pre;
        tx.post = scratch->post;
        tx.found = scratch->found;
        return read_transaction(x, &tx) < 0 || emit(&tx, a->out) < 0 ? DECLINE : 0;
    }
    if (KEY_IS(*key, "error")) return read_once(x, &a->error);
    if (KEY_IS(*key, "id")) return read_once(x, a->id);
    return skip_value(x);
}

static int read_answer(Lex *x, Buf *out, Val *id) {
    Answer a = {.out = out, .id = id};
    if (each_member(x, answer_member, &a) < 0) return DECLINE;
    return a.seen_result && (a.error.state == V_ABSENT || a.error.state == V_NULL) ? 0 : DECLINE;
}

static PyObject *packed_bytes(const Buf *out, size_t from) {
    return PyBytes_FromStringAndSize(out->data ? out->data + from : "", (Py_ssize_t)(out->len - from));
}

static int ensure_scratch(void) {
    if (!scratch && !(scratch = malloc(sizeof(Scratch)))) {
        PyErr_NoMemory();
        return -1;
    }
    return 0;
}

static PyObject *scan_answer(PyObject *self, PyObject *arg) {
    Py_buffer view;
    Buf out = {0};
    Val id = {0};
    PyObject *result;
    (void)self;
    if (ensure_scratch() < 0 || PyObject_GetBuffer(arg, &view, PyBUF_SIMPLE) < 0) return NULL;
    Lex x = {(const unsigned char *)view.buf, (const unsigned char *)view.buf + view.len, 0};
    ws(&x);
    int status = read_answer(&x, &out, &id);
    ws(&x);
    if (status == 0 && x.p == x.end) {
        result = packed_bytes(&out, 0);
    } else {
        result = Py_None;
        Py_INCREF(result);
    }
    PyBuffer_Release(&view);
    free(out.data);
    return result;
}

static PyObject *scan_batch(PyObject *self, PyObject *arg) {
    Py_buffer view;
    Buf out = {0};
    PyObject *answers = NULL;
    int more;
    (void)self;
    if (ensure_scratch() < 0 || PyObject_GetBuffer(arg, &view, PyBUF_SIMPLE) < 0) return NULL;
    if (!(answers = PyList_New(0))) {
        PyBuffer_Release(&view);
        return NULL;
    }
    Lex x = {(const unsigned char *)view.buf, (const unsigned char *)view.buf + view.len, 0};
    ws(&x);
    if (!(x.p < x.end && *x.p == '[') || (more = open_container(&x, ']')) <= 0) goto decline;
    while (more) {
        size_t from = out.len;
        Val id = {0};
        if (read_answer(&x, &out, &id) < 0 || id.state != V_INT) goto decline;
        PyObject *packed = packed_bytes(&out, from);
        PyObject *pair = packed ? Py_BuildValue("(LN)", (long long)id.i, packed) : NULL;
        if (!pair || PyList_Append(answers, pair) < 0) {
            Py_XDECREF(pair);
            goto fail;
        }
        Py_DECREF(pair);
        if ((more = next_member(&x, ']')) < 0) goto decline;
    }
    ws(&x);
    if (x.p != x.end) goto decline;
    PyBuffer_Release(&view);
    free(out.data);
    return answers;
decline:
    PyBuffer_Release(&view);
    free(out.data);
    Py_XDECREF(answers);
    Py_RETURN_NONE;
fail:
    PyBuffer_Release(&view);
    free(out.data);
    Py_XDECREF(answers);
    return NULL;
}

/* ---------------------------------------------------------------- columns */

/* Columns in SPL_MOVEMENTS_SCHEMA's order: the text each holds (T_*), or -1 and its width in bytes. */
enum { C_SLOT, C_BLOCK_TIME, C_SIGNATURE, C_LOG_INDEX, C_INNER_INDEX, C_INSTRUCTION, C_KIND, C_PROGRAM_ID,
       C_MINT, C_TX_DECIMALS, C_SOURCE, C_DESTINATION, C_FROM, C_TO, C_AUTHORITY, C_AMOUNT, C_COUNT };
static const int TEXT_OF_COLUMN[C_COUNT] = {-1, -1, T_SIGNATURE, -1, -1, T_INSTRUCTION, T_KIND, T_PROGRAM_ID,
                                            T_MINT, -1, T_SOURCE, T_DESTINATION, T_FROM, T_TO, T_AUTHORITY, -1};
static const size_t WIDTH_OF_COLUMN[C_COUNT] = {8, 8, 0, 4, 4, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 16};

/* The packed rows of one bytes object: each head and where its texts start; -1 if truncated. */
static int next_row(const char **p, const char *end, Row *row, const char **texts) {
    if ((size_t)(end - *p) < sizeof *row) return DECLINE;
    memcpy(row, *p, sizeof *row);
    *p += sizeof *row;
    *texts = *p;
    for (int t = 0; t < TEXTS; t++) {
        if (row->lengths[t] < -1) return DECLINE;
        if (row->lengths[t] > 0) {
            if (end - *p < row->lengths[t]) return DECLINE;
            *p += row->lengths[t];
        }
    }
    return 0;
}

/* Two passes over the packed rows: sizes, then every column written straight into the bytes
 * objects pyarrow wraps (no growing buffers, no per-value call). Both passes read one snapshot
 * of the list (a tuple of immutable bytes), so the second finds what the first measured. */
static PyObject *assemble(PyObject *self, PyObject *arg) {
    static const char *const WRONG = "assemble takes a list of packed movements (bytes from scan_answer/scan_batch)";
    Py_ssize_t rows = 0, n, i;
    size_t text_bytes[TEXTS] = {0};
    PyObject *values[C_COUNT] = {0}, *offsets[C_COUNT] = {0}, *validity[C_COUNT] = {0}, *out = NULL, *items;
    Py_ssize_t nulls[C_COUNT] = {0};
    Row row;
    const char *texts;
    (void)self;
    if (!PyList_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, WRONG);
        return NULL;
    }
    if (!(items = PyList_AsTuple(arg))) return NULL;
    n = PyTuple_GET_SIZE(items);
    for (i = 0; i < n; i++) {
        PyObject *item = PyTuple_GET_ITEM(items, i);
        if (!PyBytes_Check(item)) {
            PyErr_SetString(PyExc_TypeError, WRONG);
            goto done;
        }
        const char *p = PyBytes_AS_STRING(item), *end = p + PyBytes_GET_SIZE(item);
        while (p < end) {
            if (next_row(&p, end, &row, &texts) < 0) {
                PyErr_SetString(PyExc_ValueError, WRONG);
                goto done;
            }
            for (int t = 0; t < TEXTS; t++)
                if (row.lengths[t] > 0) text_bytes[t] += (size_t)row.lengths[t];
            rows++;
        }
    }
    for (int col = 0; col < C_COUNT; col++) {
        int t = TEXT_OF_COLUMN[col];
        if (t >= 0 && text_bytes[t] > INT32_MAX) {
            PyErr_SetString(PyExc_OverflowError, "over 2 GiB of text in one column: assemble fewer at a time");
            goto done;
        }
        values[col] = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(t >= 0 ? text_bytes[t] : WIDTH_OF_COLUMN[col] * rows));
        offsets[col] = t >= 0 ? PyBytes_FromStringAndSize(NULL, (rows + 1) * 4) : (Py_INCREF(Py_None), Py_None);
        validity[col] = PyBytes_FromStringAndSize(NULL, (rows + 7) / 8);
        if (!values[col] || !offsets[col] || !validity[col]) goto done;
        memset(PyBytes_AS_STRING(validity[col]), 0, (size_t)(rows + 7) / 8);
        if (t >= 0) ((int32_t *)PyBytes_AS_STRING(offsets[col]))[0] = 0;
    }
    {
        char *v[C_COUNT];
        unsigned char *bits[C_COUNT];
        int32_t *offs[C_COUNT], used[C_COUNT] = {0};
        for (int col = 0; col < C_COUNT; col++) {
            v[col] = PyBytes_AS_STRING(values[col]);
            bits[col] = (unsigned char *)PyBytes_AS_STRING(validity[col]);
            offs[col] = TEXT_OF_COLUMN[col] >= 0 ? (int32_t *)PyBytes_AS_STRING(offsets[col]) : NULL;
        }
        Py_ssize_t r = 0;
        for (i = 0; i < n; i++) {
            PyObject *item = PyTuple_GET_ITEM(items, i);
            const char *p = PyBytes_AS_STRING(item), *end = p + PyBytes_GET_SIZE(item);
            while (p < end && r < rows && next_row(&p, end, &row, &texts) == 0) {
                const char *at = texts;
                const char *text_at[TEXTS];
                for (int t = 0; t < TEXTS; t++) {
                    text_at[t] = at;
                    if (row.lengths[t] > 0) at += row.lengths[t];
                }
                for (int col = 0; col < C_COUNT; col++) {
                    int t = TEXT_OF_COLUMN[col], valid = 1;
                    if (t >= 0) {
                        int32_t len = row.lengths[t];
                        if (len > 0) {
                            memcpy(v[col] + used[col], text_at[t], (size_t)len);
                            used[col] += len;
                        }
                        valid = len >= 0;
                        offs[col][r + 1] = used[col];
                    } else {
                        char *slot = v[col] + WIDTH_OF_COLUMN[col] * (size_t)r;
                        switch (col) {
                        case C_SLOT: memcpy(slot, &row.slot, 8); break;
                        case C_BLOCK_TIME: memcpy(slot, &row.micros, 8); break;
                        case C_LOG_INDEX: memcpy(slot, &row.outer, 4); break;
                        case C_INNER_INDEX:
                            valid = row.inner >= 0;
                            memcpy(slot, valid ? &row.inner : &(int32_t){0}, 4);
                            break;
                        case C_TX_DECIMALS:
                            valid = row.decimals >= 0;
                            *slot = (char)(valid ? row.decimals : 0);
                            break;
                        default: memcpy(slot, row.amount, 16); break;
                        }
                    }
                    if (valid) bits[col][r >> 3] |= (unsigned char)(1u << (r & 7));
                    else nulls[col]++;
                }
                r++;
            }
        }
    }
    {
        PyObject *columns = PyTuple_New(C_COUNT);
        if (!columns) goto done;
        for (int col = 0; col < C_COUNT; col++) {
            PyObject *bits = nulls[col] ? validity[col] : Py_None;
            PyObject *buffers = Py_BuildValue("(OOO)", bits, offsets[col], values[col]);
            if (!buffers) {
                Py_DECREF(columns);
                goto done;
            }
            PyTuple_SET_ITEM(columns, col, buffers);
        }
        out = Py_BuildValue("(nN)", rows, columns);
    }
done:
    for (int col = 0; col < C_COUNT; col++) {
        Py_XDECREF(values[col]);
        Py_XDECREF(offsets[col]);
        Py_XDECREF(validity[col]);
    }
    Py_DECREF(items);
    return out;
}

static PyMethodDef METHODS[] = {
    {"scan_answer", scan_answer, METH_O,
     "scan_answer(answer: bytes) -> bytes | None: the SPL movements of one getTransaction answer (a JSON-RPC\n"
     "object, jsonParsed result), packed for assemble(); None where the scanner declines the answer."},
    {"scan_batch", scan_batch, METH_O,
     "scan_batch(answers: bytes) -> list[tuple[int, bytes]] | None: (id, packed movements) of each answer of\n"
     "a batch's answer (a JSON array), in the order they came; None where the scanner declines any of them."},
    {"assemble", assemble, METH_O,
     "assemble(packed: list[bytes]) -> (rows, columns): the movements as Arrow buffers, per column\n"
     "(validity bits or None, int32 offsets or None, values), in SPL_MOVEMENTS_SCHEMA's order."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef MODULE = {PyModuleDef_HEAD_INIT, "_spl_scan",
                                    "SPL token movements from getTransaction answers' bytes into Arrow buffers.",
                                    -1, METHODS, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__spl_scan(void) { return PyModule_Create(&MODULE); }
