/*
 * ladder.c: parsing, canonical text, binary form and tier placement of ladders.
 *
 * The text parser and the binary reader both fill a LadderSpec (tiers in written order)
 * and hand it to ladder_build, which makes every semantic check, so text and binary input
 * accept exactly the same ladders. Placement works on the built form.
 */
#include "postgres.h"

#include <math.h>

#include "common/shortest_dec.h"
#include "libpq/pqformat.h"
#include "mb/pg_wchar.h"

#include "ladder.h"

#define LADDER_BINARY_VERSION	1

typedef struct LadderSpecTier
{
	char		name[LADDER_MAX_NAME_BYTES + 1];
	uint8		cutoff;			/* a LadderCutoff */
	double		threshold;		/* LADDER_CUTOFF_POINTS */
	int64		top;			/* LADDER_CUTOFF_COUNT / LADDER_CUTOFF_PERCENT */
} LadderSpecTier;

typedef struct LadderSpec
{
	int			ntiers;
	bool		has_hold;
	double		hold;
	LadderSpecTier tiers[LADDER_MAX_TIERS];	/* as written: rank ladders best first */
} LadderSpec;

/* Why a ladder was rejected; the caller picks the SQLSTATE and the main message. */
typedef struct LadderProblem
{
	char	   *detail;
	const char *hint;
} LadderProblem;

static const char *const quote_hint =
"Tier names may contain letters, digits, spaces, \"-\" and \"_\"; double-quote other names.";

/* ---------------------------------------------------------------------------------------
 * Tier names
 * ------------------------------------------------------------------------------------- */

/* Bytes a bare (unquoted) tier name may hold; non-ASCII bytes are parts of characters. */
static inline bool
is_bare_name_byte(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		c == ' ' || c == '-' || c == '_' || c >= 0x80;
}

static inline bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* ASCII-only case folding: tier names must not depend on the locale. */
static bool
names_equal_ignoring_case(const char *a, const char *b)
{
	for (;; a++, b++)
	{
		char		ca = (*a >= 'A' && *a <= 'Z') ? *a + ('a' - 'A') : *a;
		char		cb = (*b >= 'A' && *b <= 'Z') ? *b + ('a' - 'A') : *b;

		if (ca != cb)
			return false;
		if (ca == '\0')
			return true;
	}
}

/* A name is written bare only when reading it back bare gives the same name. */
static bool
name_needs_quotes(const char *name)
{
	size_t		len = strlen(name);

	if (len == 0 || name[0] == ' ' || name[len - 1] == ' ')
		return true;
	for (const char *p = name; *p; p++)
		if (!is_bare_name_byte((unsigned char) *p))
			return true;
	return false;
}

static void
append_name(StringInfo out, const char *name)
{
	if (!name_needs_quotes(name))
	{
		appendStringInfoString(out, name);
		return;
	}
	appendStringInfoChar(out, '"');
	for (const char *p = name; *p; p++)
	{
		if (*p == '"')
			appendStringInfoChar(out, '"');
		appendStringInfoChar(out, *p);
	}
	appendStringInfoChar(out, '"');
}

/* ---------------------------------------------------------------------------------------
 * Numbers
 * ------------------------------------------------------------------------------------- */

static void
append_double(StringInfo out, double v)
{
	char		buf[DOUBLE_SHORTEST_DECIMAL_LEN];

	double_to_shortest_decimal_buf(v, buf);
	appendStringInfoString(out, buf);
}

static void
append_percent(StringInfo out, int64 micro)
{
	int64		frac = micro % LADDER_PERCENT_SCALE;
	int			digits = LADDER_PERCENT_DIGITS;

	appendStringInfo(out, INT64_FORMAT, micro / LADDER_PERCENT_SCALE);
	if (frac != 0)
	{
		while (frac % 10 == 0)
		{
			frac /= 10;
			digits--;
		}
		appendStringInfo(out, ".%0*" INT64_MODIFIER "d", digits, frac);
	}
	appendStringInfoChar(out, '%');
}

static void
append_cutoff(StringInfo out, uint8 cutoff, double threshold, int64 top)
{
	if (cutoff == LADDER_CUTOFF_POINTS)
		append_double(out, threshold);
	else if (cutoff == LADDER_CUTOFF_COUNT)
		appendStringInfo(out, "top " INT64_FORMAT, top);
	else
	{
		appendStringInfoString(out, "top ");
		append_percent(out, top);
	}
}

/* ---------------------------------------------------------------------------------------
 * Validation and construction (shared by text and binary input)
 * ------------------------------------------------------------------------------------- */

static char *
spec_cutoff_text(const LadderSpecTier *t)
{
	StringInfoData s;

	initStringInfo(&s);
	append_cutoff(&s, t->cutoff, t->threshold, t->top);
	return s.data;
}

/*
 * Checks a spec; returns false and fills *problem when the ladder is not acceptable.
 * Names are checked here too (binary input does not go through the tokenizer).
 */
static bool
ladder_spec_check(LadderSpec *spec, LadderProblem *problem)
{
	int			n = spec->ntiers;
	bool		rank;

	problem->hint = NULL;
	if (n < 1)
	{
		problem->detail = psprintf("A ladder needs at least one tier.");
		problem->hint = "Write tiers as \"name: threshold\" (points) or \"name: top N\" (ranks), separated by commas.";
		return false;
	}
	if (n > LADDER_MAX_TIERS)
	{
		problem->detail = psprintf("A ladder holds at most %d tiers.", LADDER_MAX_TIERS);
		return false;
	}

	for (int i = 0; i < n; i++)
	{
		const char *name = spec->tiers[i].name;
		bool		blank = true;

		for (const char *p = name; *p; p++)
		{
			if ((unsigned char) *p < 0x20 || *p == 0x7f)
			{
				problem->detail = psprintf("Tier name \"%s\" contains a control character.", name);
				return false;
			}
			if (*p != ' ')
				blank = false;
		}
		if (blank)
		{
			problem->detail = psprintf("Tier names must not be empty.");
			return false;
		}
		if (strlen(name) > LADDER_MAX_NAME_BYTES)
		{
			problem->detail = psprintf("Tier name \"%s\" is longer than %d bytes.",
									   name, LADDER_MAX_NAME_BYTES);
			return false;
		}
		for (int j = 0; j < i; j++)
		{
			if (strcmp(spec->tiers[j].name, name) == 0)
			{
				problem->detail = psprintf("Tier name \"%s\" appears twice.", name);
				return false;
			}
			if (names_equal_ignoring_case(spec->tiers[j].name, name))
			{
				problem->detail = psprintf("Tier names \"%s\" and \"%s\" differ only in case.",
										   spec->tiers[j].name, name);
				problem->hint = "Give every tier a distinct name.";
				return false;
			}
		}
	}

	rank = spec->tiers[0].cutoff != LADDER_CUTOFF_POINTS;
	for (int i = 1; i < n; i++)
	{
		if ((spec->tiers[i].cutoff != LADDER_CUTOFF_POINTS) != rank)
		{
			const LadderSpecTier *pts = rank ? &spec->tiers[i] : &spec->tiers[0];
			const LadderSpecTier *top = rank ? &spec->tiers[0] : &spec->tiers[i];

			problem->detail = psprintf("Cannot mix point thresholds and top ranks in one ladder: "
									   "\"%s\" has a threshold, \"%s\" a top rank.",
									   pts->name, top->name);
			problem->hint = "Use either \"name: points\" for every tier or \"name: top N\" / \"name: top p%\" for every tier.";
			return false;
		}
	}

	if (!rank)
	{
		for (int i = 0; i < n; i++)
		{
			LadderSpecTier *t = &spec->tiers[i];

			if (isnan(t->threshold) || isinf(t->threshold))
			{
				problem->detail = psprintf("The threshold of \"%s\" must be a finite number.", t->name);
				return false;
			}
			if (t->threshold == 0)
				t->threshold = 0;	/* no -0 */
			if (i > 0 && t->threshold <= spec->tiers[i - 1].threshold)
			{
				const LadderSpecTier *prev = &spec->tiers[i - 1];

				if (t->threshold == prev->threshold)
					problem->detail = psprintf("Tiers \"%s\" and \"%s\" have the same threshold %s.",
											   prev->name, t->name, spec_cutoff_text(t));
				else
					problem->detail = psprintf("Thresholds must increase, but \"%s\" (%s) comes after \"%s\" (%s).",
											   t->name, spec_cutoff_text(t),
											   prev->name, spec_cutoff_text(prev));
				problem->hint = "List points tiers from the lowest threshold to the highest.";
				return false;
			}
		}
		if (spec->has_hold)
		{
			if (isnan(spec->hold) || isinf(spec->hold))
			{
				problem->detail = psprintf("The hold must be a finite number.");
				return false;
			}
			if (spec->hold < 0)
			{
				problem->detail = psprintf("The hold must not be negative.");
				problem->hint = "hold N keeps a tier until the score falls below its threshold minus N.";
				return false;
			}
			if (spec->hold == 0)
				spec->hold = 0; /* no -0 */
		}
		return true;
	}

	if (spec->has_hold)
	{
		problem->detail = psprintf("Hold applies only to points ladders.");
		problem->hint = "Rank tiers follow the rank; remove \"; hold N\".";
		return false;
	}
	for (int i = 0; i < n; i++)
	{
		const LadderSpecTier *t = &spec->tiers[i];

		if (t->cutoff == LADDER_CUTOFF_COUNT && t->top < 1)
		{
			problem->detail = psprintf("Tier \"%s\" has top " INT64_FORMAT ", but top N needs N of at least 1.",
									   t->name, t->top);
			return false;
		}
		if (t->cutoff == LADDER_CUTOFF_PERCENT &&
			(t->top <= 0 || t->top > 100 * LADDER_PERCENT_SCALE))
		{
			problem->detail = psprintf("Tier \"%s\" has a percentage outside (0%%, 100%%].",
									   t->name);
			return false;
		}
		if (t->cutoff != LADDER_CUTOFF_COUNT && t->cutoff != LADDER_CUTOFF_PERCENT)
		{
			problem->detail = psprintf("Tier \"%s\" has an unknown cutoff kind %d.", t->name, t->cutoff);
			return false;
		}
		/* best first: each cutoff must be wider than the earlier ones of its kind */
		for (int j = i - 1; j >= 0; j--)
		{
			const LadderSpecTier *prev = &spec->tiers[j];

			if (prev->cutoff != t->cutoff)
				continue;
			if (t->top <= prev->top)
			{
				if (t->top == prev->top)
					problem->detail = psprintf("Tiers \"%s\" and \"%s\" have the same cutoff %s.",
											   prev->name, t->name, spec_cutoff_text(t));
				else
					problem->detail = psprintf("Rank tiers are listed best first, but \"%s\" (%s) is narrower than \"%s\" (%s) before it.",
											   t->name, spec_cutoff_text(t),
											   prev->name, spec_cutoff_text(prev));
				problem->hint = "List rank tiers from the narrowest cutoff (best tier) to the widest.";
				return false;
			}
			break;
		}
	}
	return true;
}

/* Builds the stored form of a checked spec. */
static Ladder *
ladder_build(const LadderSpec *spec)
{
	int			n = spec->ntiers;
	bool		rank = spec->tiers[0].cutoff != LADDER_CUTOFF_POINTS;
	Size		names_size = 0;
	Size		size;
	Ladder	   *ladder;
	char	   *names;
	uint32		offset = 0;

	for (int i = 0; i < n; i++)
		names_size += strlen(spec->tiers[i].name) + 1;
	size = LADDER_HEADER_SIZE + n * sizeof(LadderTier) + names_size;

	ladder = palloc0(size);
	SET_VARSIZE(ladder, size);
	ladder->kind = rank ? LADDER_RANK : LADDER_POINTS;
	ladder->ntiers = n;
	ladder->names_size = (int32) names_size;
	ladder->hold = spec->has_hold ? spec->hold : 0;
	names = (char *) &ladder->tiers[n];

	/* level order: points ladders are written lowest first, rank ladders best first */
	for (int level = 1; level <= n; level++)
	{
		const LadderSpecTier *t = &spec->tiers[rank ? n - level : level - 1];
		LadderTier *dst = &ladder->tiers[level - 1];
		size_t		len = strlen(t->name);

		dst->cutoff = t->cutoff;
		if (rank)
			dst->top = t->top;
		else
			dst->threshold = t->threshold;
		dst->name_offset = offset;
		memcpy(names + offset, t->name, len + 1);
		offset += len + 1;
	}
	return ladder;
}

/* ---------------------------------------------------------------------------------------
 * Text input
 * ------------------------------------------------------------------------------------- */

typedef struct LadderScan
{
	const char *p;
	LadderProblem problem;
} LadderScan;

static void
skip_spaces(LadderScan *s)
{
	while (is_space(*s->p))
		s->p++;
}

/* "at "<rest of the text>"" for error details, short enough to read. */
static char *
where(const char *p)
{
	if (*p == '\0')
		return pstrdup("at end of input");
	if (strlen(p) > 40)
		return psprintf("at \"%.*s...\"", pg_mbcliplen(p, strlen(p), 40), p);
	return psprintf("at \"%s\"", p);
}

static bool fail(LadderScan *s, const char *hint, const char *fmt,...) pg_attribute_printf(3, 4);

/* Records why the text does not parse; always returns false. */
static bool
fail(LadderScan *s, const char *hint, const char *fmt,...)
{
	StringInfoData detail;

	initStringInfo(&detail);
	for (;;)
	{
		va_list		args;
		int			needed;

		va_start(args, fmt);
		needed = appendStringInfoVA(&detail, fmt, args);
		va_end(args);
		if (needed == 0)
			break;
		enlargeStringInfo(&detail, needed);
	}
	s->problem.detail = detail.data;
	s->problem.hint = hint;
	return false;
}

static bool
word_ahead(const char *p, const char *word)
{
	size_t		len = strlen(word);

	return pg_strncasecmp(p, word, len) == 0 &&
		!((p[len] >= 'a' && p[len] <= 'z') || (p[len] >= 'A' && p[len] <= 'Z'));
}

/* "NaN", "Infinity", "inf" (optionally signed): named to give a clear error. */
static bool
non_finite_ahead(const char *p)
{
	if (*p == '+' || *p == '-')
		p++;
	return word_ahead(p, "nan") || word_ahead(p, "infinity") || word_ahead(p, "inf");
}

/* Length of the non-finite word at p, sign included. */
static int
non_finite_length(const char *p)
{
	const char *q = p;

	if (*q == '+' || *q == '-')
		q++;
	while ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z'))
		q++;
	return (int) (q - p);
}

/* Length of a decimal number [+-](digits[.digits]|.digits)[e[+-]digits] at p, or 0. */
static int
scan_number(const char *p, bool allow_exponent)
{
	const char *q = p;
	bool		digits = false;

	if (*q == '+' || *q == '-')
		q++;
	while (*q >= '0' && *q <= '9')
		q++, digits = true;
	if (*q == '.')
	{
		const char *r = q + 1;

		while (*r >= '0' && *r <= '9')
			r++, digits = true;
		if (digits)
			q = r;
	}
	if (!digits)
		return 0;
	if (allow_exponent && (*q == 'e' || *q == 'E'))
	{
		const char *r = q + 1;

		if (*r == '+' || *r == '-')
			r++;
		if (*r >= '0' && *r <= '9')
		{
			while (*r >= '0' && *r <= '9')
				r++;
			q = r;
		}
	}
	return (int) (q - p);
}

/* Reads a finite float8 (threshold or hold) described by "what". */
static bool
scan_double(LadderScan *s, const char *what, double *result)
{
	int			len;
	char	   *copy;
	char	   *end;

	if (non_finite_ahead(s->p))
		return fail(s, NULL, "The %s must be a finite number, not %.*s.", what, non_finite_length(s->p), s->p);
	len = scan_number(s->p, true);
	if (len == 0)
		return fail(s, NULL, "Expected a number for the %s %s.", what, where(s->p));
	copy = pnstrdup(s->p, len);
	errno = 0;
	*result = strtod(copy, &end);
	/* as float8in: overflow, and underflow to 0 (a denormal is kept), are out of range */
	if (errno == ERANGE && (*result == 0.0 || *result == HUGE_VAL || *result == -HUGE_VAL))
		return fail(s, NULL, "The %s is out of range: %s.", what, copy);
	s->p += len;
	return true;
}

static bool
name_too_long(LadderScan *s, const char *name)
{
	return fail(s, NULL, "Tier name \"%.*s...\" is longer than %d bytes.",
				pg_mbcliplen(name, strlen(name), 20), name, LADDER_MAX_NAME_BYTES);
}

static bool
scan_name(LadderScan *s, char *name)
{
	int			len = 0;

	if (*s->p == '"')
	{
		for (s->p++;; s->p++)
		{
			if (*s->p == '\0')
				return fail(s, NULL, "Unterminated quoted tier name.");
			if (*s->p == '"')
			{
				if (s->p[1] != '"')
					break;
				s->p++;
			}
			if (len == LADDER_MAX_NAME_BYTES)
				return name_too_long(s, name);
			name[len++] = *s->p;
			name[len] = '\0';
		}
		s->p++;					/* closing quote */
		name[len] = '\0';
		return true;
	}

	while (is_bare_name_byte((unsigned char) *s->p))
	{
		if (len == LADDER_MAX_NAME_BYTES)
			return name_too_long(s, name);
		name[len++] = *s->p++;
		name[len] = '\0';
	}
	while (len > 0 && name[len - 1] == ' ')
		len--;
	name[len] = '\0';
	if (len == 0)
		return fail(s, quote_hint, "Expected a tier name %s.", where(s->p));
	return true;
}

/* "top N" or "top p%" after the keyword. */
static bool
scan_top(LadderScan *s, LadderSpecTier *t)
{
	const char *start = s->p;
	const char *q = s->p;
	bool		negative = false;
	int64		whole = 0;
	int64		frac = 0;
	int			frac_digits = 0;
	bool		overflow = false;
	bool		has_frac = false;
	int			len = scan_number(s->p, false);

	if (len == 0)
		return fail(s, NULL, "Expected a number after \"top\" for \"%s\" %s.", t->name, where(s->p));
	if (*q == '+' || *q == '-')
		negative = *q++ == '-';
	for (; *q >= '0' && *q <= '9'; q++)
	{
		if (whole > (PG_INT64_MAX - (*q - '0')) / 10)
			overflow = true;
		else
			whole = whole * 10 + (*q - '0');
	}
	if (*q == '.')
	{
		has_frac = true;
		for (q++; *q >= '0' && *q <= '9'; q++)
		{
			if (++frac_digits <= LADDER_PERCENT_DIGITS)
				frac = frac * 10 + (*q - '0');
		}
	}
	s->p = q;
	skip_spaces(s);
	if (*s->p == '%')
	{
		s->p++;
		t->cutoff = LADDER_CUTOFF_PERCENT;
		if (frac_digits > LADDER_PERCENT_DIGITS)
			return fail(s, NULL, "Tier \"%s\": percentages may have at most %d decimal places.",
						t->name, LADDER_PERCENT_DIGITS);
		for (int i = frac_digits; i < LADDER_PERCENT_DIGITS; i++)
			frac *= 10;
		if (overflow || whole > 100)
			t->top = PG_INT64_MAX;	/* rejected by the range check */
		else
			t->top = whole * LADDER_PERCENT_SCALE + frac;
		if (negative && t->top != 0)
			t->top = -t->top;
		return true;
	}
	t->cutoff = LADDER_CUTOFF_COUNT;
	if (has_frac)
		return fail(s, NULL, "Tier \"%s\": top %s needs a whole number of ranks or a percentage.",
					t->name, pnstrdup(start, len));
	if (overflow)
		return fail(s, NULL, "Tier \"%s\": top %s is out of range.", t->name, pnstrdup(start, len));
	t->top = negative ? -whole : whole;
	return true;
}

/* Fills spec from text; false with s->problem set when the text does not parse. */
static bool
scan_ladder(LadderScan *s, LadderSpec *spec)
{
	skip_spaces(s);
	if (*s->p == '\0' || *s->p == ';')
	{
		spec->ntiers = 0;
		return true;			/* ladder_spec_check explains */
	}
	for (;;)
	{
		LadderSpecTier *t;

		if (spec->ntiers == LADDER_MAX_TIERS)
			return fail(s, NULL, "A ladder holds at most %d tiers.", LADDER_MAX_TIERS);
		t = &spec->tiers[spec->ntiers++];
		skip_spaces(s);
		if (!scan_name(s, t->name))
			return false;
		skip_spaces(s);
		if (*s->p != ':')
			return fail(s, quote_hint, "Expected \":\" after tier name \"%s\" %s.", t->name, where(s->p));
		s->p++;
		skip_spaces(s);
		if (word_ahead(s->p, "top"))
		{
			s->p += 3;
			skip_spaces(s);
			if (!scan_top(s, t))
				return false;
		}
		else
		{
			t->cutoff = LADDER_CUTOFF_POINTS;
			if (scan_number(s->p, true) == 0 && !non_finite_ahead(s->p))
				return fail(s, NULL, "Expected a threshold or \"top N\" after \"%s:\" %s.",
							t->name, where(s->p));
			if (!scan_double(s, psprintf("threshold of \"%s\"", t->name), &t->threshold))
				return false;
		}
		skip_spaces(s);
		if (*s->p == ',')
		{
			s->p++;
			continue;
		}
		break;
	}
	if (*s->p == ';')
	{
		s->p++;
		skip_spaces(s);
		if (!word_ahead(s->p, "hold"))
			return fail(s, NULL, "Expected \"hold N\" after \";\" %s.", where(s->p));
		s->p += 4;
		skip_spaces(s);
		if (!scan_double(s, "hold", &spec->hold))
			return false;
		spec->has_hold = true;
		skip_spaces(s);
	}
	if (*s->p != '\0')
		return fail(s, NULL, "Expected \",\", \"; hold N\" or the end of the ladder %s.",
					where(s->p));
	return true;
}

Ladder *
ladder_parse(const char *text)
{
	LadderSpec *spec = palloc0(sizeof(LadderSpec));
	LadderScan	scan = {.p = text};

	if (!scan_ladder(&scan, spec) || !ladder_spec_check(spec, &scan.problem))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type ladder: \"%s\"", text),
				 errdetail("%s", scan.problem.detail),
				 scan.problem.hint ? errhint("%s", scan.problem.hint) : 0));
	return ladder_build(spec);
}

/* ---------------------------------------------------------------------------------------
 * Text output
 * ------------------------------------------------------------------------------------- */

char *
ladder_to_cstring(const Ladder *ladder)
{
	StringInfoData out;
	int			n = ladder->ntiers;
	bool		rank = ladder->kind == LADDER_RANK;

	initStringInfo(&out);
	for (int i = 0; i < n; i++)
	{
		const LadderTier *t = &ladder->tiers[rank ? n - 1 - i : i];

		if (i > 0)
			appendStringInfoString(&out, ", ");
		append_name(&out, ladder_tier_name(ladder, rank ? n - i : i + 1));
		appendStringInfoString(&out, ": ");
		append_cutoff(&out, t->cutoff, t->threshold, t->top);
	}
	if (!rank && ladder->hold > 0)
	{
		appendStringInfoString(&out, "; hold ");
		append_double(&out, ladder->hold);
	}
	return out.data;
}

/* ---------------------------------------------------------------------------------------
 * Binary form: version byte, kind, tier count, hold, then per tier in written order its
 * name (counted text), cutoff kind and threshold (float8) or top (int64).
 * ------------------------------------------------------------------------------------- */

void
ladder_send_to(StringInfo buf, const Ladder *ladder)
{
	int			n = ladder->ntiers;
	bool		rank = ladder->kind == LADDER_RANK;

	pq_sendbyte(buf, LADDER_BINARY_VERSION);
	pq_sendbyte(buf, ladder->kind);
	pq_sendint32(buf, n);
	pq_sendfloat8(buf, ladder->hold);
	for (int i = 0; i < n; i++)
	{
		int			level = rank ? n - i : i + 1;
		const LadderTier *t = &ladder->tiers[level - 1];
		const char *name = ladder_tier_name(ladder, level);

		pq_sendcountedtext(buf, name, strlen(name), false);
		pq_sendbyte(buf, t->cutoff);
		if (rank)
			pq_sendint64(buf, t->top);
		else
			pq_sendfloat8(buf, t->threshold);
	}
}

static void
recv_need(StringInfo buf, int bytes)
{
	if (bytes < 0 || buf->len - buf->cursor < bytes)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid external ladder value"),
				 errdetail("The value ends early.")));
}

static void
recv_bad(const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("invalid external ladder value"),
			 errdetail("%s", detail)));
}

Ladder *
ladder_recv_from(StringInfo buf)
{
	LadderSpec *spec = palloc0(sizeof(LadderSpec));
	LadderProblem problem;
	int			version;
	int			kind;
	int			n;

	recv_need(buf, 1);
	version = pq_getmsgbyte(buf);
	if (version != LADDER_BINARY_VERSION)
		recv_bad(psprintf("Unsupported ladder binary format version %d.", version));
	recv_need(buf, 1 + 4 + 8);
	kind = pq_getmsgbyte(buf);
	n = pq_getmsgint(buf, 4);
	spec->hold = pq_getmsgfloat8(buf);
	if (kind != LADDER_POINTS && kind != LADDER_RANK)
		recv_bad(psprintf("Unknown ladder kind %d.", kind));
	if (n < 1 || n > LADDER_MAX_TIERS)
		recv_bad(psprintf("A ladder holds 1 to %d tiers, not %d.", LADDER_MAX_TIERS, n));
	spec->has_hold = kind == LADDER_POINTS || spec->hold != 0;
	spec->ntiers = n;
	for (int i = 0; i < n; i++)
	{
		LadderSpecTier *t = &spec->tiers[i];
		int			rawlen;
		int			len;
		char	   *name;

		recv_need(buf, 4);
		rawlen = pq_getmsgint(buf, 4);
		recv_need(buf, rawlen);
		if (memchr(buf->data + buf->cursor, '\0', rawlen) != NULL)
			recv_bad("A tier name contains a zero byte.");
		name = pq_getmsgtext(buf, rawlen, &len);
		if (len > LADDER_MAX_NAME_BYTES)
			recv_bad(psprintf("A tier name is longer than %d bytes.", LADDER_MAX_NAME_BYTES));
		memcpy(t->name, name, len + 1);
		recv_need(buf, 1 + 8);
		t->cutoff = pq_getmsgbyte(buf);
		if ((kind == LADDER_POINTS) != (t->cutoff == LADDER_CUTOFF_POINTS))
			recv_bad(psprintf("Tier \"%s\" does not fit the ladder kind.", t->name));
		if (kind == LADDER_POINTS)
			t->threshold = pq_getmsgfloat8(buf);
		else
			t->top = pq_getmsgint64(buf);
	}
	if (buf->cursor != buf->len)
		recv_bad("The value has trailing bytes.");
	if (!ladder_spec_check(spec, &problem))
		recv_bad(problem.detail);
	return ladder_build(spec);
}

/* ---------------------------------------------------------------------------------------
 * Lookups and placement
 * ------------------------------------------------------------------------------------- */

bool
ladder_is_rank_based(const Ladder *ladder)
{
	return ladder->kind == LADDER_RANK;
}

int
ladder_tier_count(const Ladder *ladder)
{
	return ladder->ntiers;
}

static void
check_level(const Ladder *ladder, int level, int lowest)
{
	if (level < lowest || level > ladder->ntiers)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("tier level %d is outside the ladder", level),
				 errdetail("The ladder has levels %d to %d.", lowest, ladder->ntiers)));
}

const char *
ladder_tier_name(const Ladder *ladder, int level)
{
	check_level(ladder, level, 0);
	if (level == 0)
		return NULL;
	return (const char *) &ladder->tiers[ladder->ntiers] +
		ladder->tiers[level - 1].name_offset;
}

int
ladder_level_of_name(const Ladder *ladder, const char *name)
{
	if (name == NULL)
		return 0;
	for (int level = 1; level <= ladder->ntiers; level++)
		if (strcmp(ladder_tier_name(ladder, level), name) == 0)
			return level;
	return -1;
}

static void
require_points(const Ladder *ladder)
{
	if (ladder->kind != LADDER_POINTS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a rank ladder cannot place scores"),
				 errdetail("The ladder's tiers are \"top N\" or \"top p%%\" cutoffs."),
				 errhint("Use leaderboard.tier_by_rank(rank, of, ladder) with a rank ladder, "
						 "or a points ladder such as 'Bronze: 0, Silver: 60'.")));
}

double
ladder_threshold(const Ladder *ladder, int level)
{
	require_points(ladder);
	check_level(ladder, level, 1);
	return ladder->tiers[level - 1].threshold;
}

double
ladder_hold(const Ladder *ladder)
{
	return ladder->hold;
}

int
ladder_level_for_score(const Ladder *ladder, double score, int previous_level)
{
	int			lo = 0;
	int			hi;

	require_points(ladder);
	if (isnan(score))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("score must not be NaN"),
				 errhint("Pass a number, or NULL for an unknown score.")));
	check_level(ladder, previous_level, 0);

	/* the highest level whose threshold the score reaches: thresholds strictly increase */
	hi = ladder->ntiers;
	while (lo < hi)
	{
		int			mid = (lo + hi + 1) / 2;

		if (score >= ladder->tiers[mid - 1].threshold)
			lo = mid;
		else
			hi = mid - 1;
	}

	/*
	 * Below the tier held before, the holder keeps the best tier at or below it whose
	 * threshold - hold the score still reaches: the same tier whether the score fell in
	 * one step or many.
	 */
	for (int level = previous_level; level > lo; level--)
		if (score >= ladder->tiers[level - 1].threshold - ladder->hold)
			return level;
	return lo;
}

/* ceil(micro * of / 10^8) without overflow: of = q * 10^8 + r. */
static int64
percent_cutoff(int64 micro, int64 of)
{
	const int64 whole = 100 * LADDER_PERCENT_SCALE;
	int64		q = of / whole;
	int64		r = of % whole;

	return q * micro + (r * micro + whole - 1) / whole;
}

int
ladder_level_for_rank(const Ladder *ladder, int64 rank, int64 of)
{
	if (ladder->kind != LADDER_RANK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a points ladder cannot place ranks"),
				 errdetail("The ladder's tiers are point thresholds."),
				 errhint("Use leaderboard.tier(score, ladder) with a points ladder, "
						 "or a rank ladder such as 'Gold: top 10%%, Silver: top 30%%'.")));
	if (of < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("number of ranked agents must be at least 1, not " INT64_FORMAT, of),
				 errhint("Pass NULL as the rank of an unranked agent.")));
	if (rank < 1 || rank > of)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("rank " INT64_FORMAT " is outside 1 to " INT64_FORMAT, rank, of),
				 errdetail("A rank runs from 1 (best) to the number of ranked agents."),
				 errhint("Pass NULL as the rank of an unranked agent.")));

	/* written best first, i.e. from the top level down: the first cutoff covering wins */
	for (int level = ladder->ntiers; level >= 1; level--)
	{
		const LadderTier *t = &ladder->tiers[level - 1];
		int64		cutoff = t->cutoff == LADDER_CUTOFF_COUNT ? t->top : percent_cutoff(t->top, of);

		if (rank <= cutoff)
			return level;
	}
	return 0;
}
