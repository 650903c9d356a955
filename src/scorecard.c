/*
 * scorecard.c: the scorecard type: JSON parsing and validation, canonical output, binary
 * send/recv. Scoring lives in scorecard_score.c.
 *
 * Text and binary input both fill a CardSpec and go through one validator, so recv
 * repeats every check of in; only the error code differs (22P02 / 22P03).
 */
#include "postgres.h"

#include <math.h>

#include "common/jsonapi.h"
#include "common/shortest_dec.h"
#include "lib/stringinfo.h"
#include "libpq/pqformat.h"
#include "mb/pg_wchar.h"
#include "nodes/pg_list.h"
#include "utils/builtins.h"
#include "utils/json.h"

#include "scorecard.h"

#define SCORECARD_BINARY_VERSION	1

/* Integers of a card (min_n, min_rows) are below 2^53: exact as JSON numbers (doubles). */
#define SCORECARD_MAX_INTEGER	9007199254740991.0	/* 2^53 - 1 */

static const char *const stat_names[] = {"count", "sum", "avg", "min", "max", "rate"};
static const char *const better_names[] = {"higher", "lower"};
static const char *const missing_names[] = {"zero", "skip", "disqualify"};

#define NSTATS		lengthof(stat_names)
#define NBETTER		lengthof(better_names)
#define NMISSING	lengthof(missing_names)

/* One metric as written, before validation. */
typedef struct MetricSpec
{
	char	   *name;			/* NULL when absent */
	int			stat;			/* -1 when absent */
	int			better;
	int			if_missing;
	double		weight;
	bool		has_range;
	double		lo;
	double		hi;
	bool		has_target;
	double		target;
	bool		has_cap;
	double		cap;
	bool		has_min;
	double		gate_min;
	bool		has_max;
	double		gate_max;
	bool		has_min_n;
	int64		min_n;
} MetricSpec;

typedef struct CardSpec
{
	int			nmetrics;
	MetricSpec	metrics[SCORECARD_MAX_METRICS];
	double		scale;
	int64		min_rows;
} CardSpec;

const char *
scorecard_stat_name(ScorecardStat stat)
{
	return stat_names[stat];
}

int
scorecard_find_metric(const Scorecard *card, const char *name)
{
	for (int i = 0; i < card->nmetrics; i++)
		if (strcmp(scorecard_metric_name(card, i), name) == 0)
			return i;
	return -1;
}

/* Appends d in the shortest form that reads back as the same double (valid JSON). */
void
scorecard_append_double(StringInfo buf, double d)
{
	char		tmp[DOUBLE_SHORTEST_DECIMAL_LEN];

	double_to_shortest_decimal_buf(d, tmp);
	appendStringInfoString(buf, tmp);
}

char *
scorecard_double_cstring(double d)
{
	StringInfoData buf;

	initStringInfo(&buf);
	scorecard_append_double(&buf, d);
	return buf.data;
}

static void
metric_spec_init(MetricSpec *m)
{
	memset(m, 0, sizeof(MetricSpec));
	m->stat = -1;
	m->better = SCORECARD_BETTER_HIGHER;
	m->if_missing = SCORECARD_MISSING_ZERO;
	m->weight = 1.0;
	m->cap = 1.0;
}

/* "metric \"aht\"" when the metric has a usable name, else "metric 3" (1-based). */
static char *
metric_label(const MetricSpec *m, int i)
{
	if (m->name != NULL && m->name[0] != '\0')
		return psprintf("metric \"%s\"", m->name);
	return psprintf("metric %d", i + 1);
}

static void
check_metric_count(int nmetrics, int code)
{
	if (nmetrics < 1)
		ereport(ERROR,
				(errcode(code),
				 errmsg("scorecard needs a non-empty \"metrics\" array"),
				 errhint("Give at least one metric, e.g. {\"metrics\": [{\"name\": \"calls\", \"stat\": \"count\"}]}.")));
	if (nmetrics > SCORECARD_MAX_METRICS)
		ereport(ERROR,
				(errcode(code),
				 errmsg("scorecard has %d metrics, more than the maximum of %d",
						nmetrics, SCORECARD_MAX_METRICS)));
}

/*
 * A score is scale * sum(weight * normalized) / sum(weight): weights adding up past
 * float8 make it Infinity / Infinity, a NaN that ranks above every number, and a scale
 * times that sum past float8 makes a range-normalized score Infinity. Each weight alone
 * is finite (checked with the metric), so these are ranges, not syntax: 22003.
 */
static void
check_weight_total(const CardSpec *spec)
{
	double		total = 0.0;

	for (int i = 0; i < spec->nmetrics; i++)
		total += spec->metrics[i].weight;
	if (!isfinite(total))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("scorecard weights add up to more than double precision holds"),
				 errhint("Scale the weights down: a score depends only on their ratios.")));
	if (!isfinite(total * spec->scale))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("scorecard \"scale\" times the sum of the weights is out of range for double precision"),
				 errdetail("\"scale\" is %s and the weights add up to %s.",
						   scorecard_double_cstring(spec->scale), scorecard_double_cstring(total)),
				 errhint("Lower the \"scale\" or the weights.")));
}

/*
 * Checks every rule of a card and builds the stored value. errcode is 22P02 for text
 * input and 22P03 for binary input.
 */
static Scorecard *
scorecard_build(CardSpec *spec, int code)
{
	Size		size;
	Scorecard  *card;
	char	   *names;
	bool		any_weight = false;

	check_metric_count(spec->nmetrics, code);

	for (int i = 0; i < spec->nmetrics; i++)
	{
		MetricSpec *m = &spec->metrics[i];
		char	   *label = metric_label(m, i);

		if (m->name == NULL || m->name[0] == '\0')
			ereport(ERROR,
					(errcode(code),
					 errmsg("scorecard %s: \"name\" must be a non-empty string", label),
					 errhint("Name every metric after the kpis or board metric it reads.")));
		if (strlen(m->name) > SCORECARD_MAX_NAME)
			ereport(ERROR,
					(errcode(code),
					 errmsg("scorecard %s: \"name\" is longer than %d bytes",
							label, SCORECARD_MAX_NAME)));
		for (int j = 0; j < i; j++)
			if (strcmp(spec->metrics[j].name, m->name) == 0)
				ereport(ERROR,
						(errcode(code),
						 errmsg("scorecard %s: \"name\" is used by metrics %d and %d",
								label, j + 1, i + 1),
						 errhint("Metric names must be unique within a scorecard.")));
		if (m->stat < 0)
			ereport(ERROR,
					(errcode(code),
					 errmsg("scorecard %s: \"stat\" is required", label),
					 errhint("Use one of count, sum, avg, min, max, rate.")));
		if (m->stat >= (int) NSTATS)
			ereport(ERROR,
					(errcode(code),
					 errmsg("scorecard %s: unknown \"stat\" code %d", label, m->stat)));
		if (m->better < 0 || m->better >= (int) NBETTER)
			ereport(ERROR,
					(errcode(code),
					 errmsg("scorecard %s: unknown \"better\" code %d", label, m->better)));
		if (m->if_missing < 0 || m->if_missing >= (int) NMISSING)
			ereport(ERROR,
					(errcode(code),
					 errmsg("scorecard %s: unknown \"if_missing\" code %d", label, m->if_missing)));
		if (!isfinite(m->weight) || m->weight < 0)
			ereport(ERROR,
					(errcode(code),
					 errmsg("scorecard %s: \"weight\" must be a number >= 0", label),
					 errdetail("\"weight\" is %s.", scorecard_double_cstring(m->weight))));
		if (m->weight > 0)
			any_weight = true;
		if (m->has_range && m->has_target)
			ereport(ERROR,
					(errcode(code),
					 errmsg("scorecard %s: \"range\" and \"target\" cannot be combined", label),
					 errhint("Normalize a metric either by a range or by a target.")));
		if (m->has_range)
		{
			if (!isfinite(m->lo) || !isfinite(m->hi))
				ereport(ERROR,
						(errcode(code),
						 errmsg("scorecard %s: \"range\" must hold finite numbers", label)));
			if (!(m->lo < m->hi))
				ereport(ERROR,
						(errcode(code),
						 errmsg("scorecard %s: \"range\" must have lo < hi", label),
						 errdetail("\"range\" is [%s, %s].",
								   scorecard_double_cstring(m->lo), scorecard_double_cstring(m->hi)),
						 errhint("Write the range low end first; \"better\": \"lower\" reverses the scale.")));
		}
		if (m->has_target && (!isfinite(m->target) || !(m->target > 0)))
			ereport(ERROR,
					(errcode(code),
					 errmsg("scorecard %s: \"target\" must be a number > 0", label),
					 errdetail("\"target\" is %s.", scorecard_double_cstring(m->target))));
		if (m->has_cap)
		{
			if (!m->has_target)
				ereport(ERROR,
						(errcode(code),
						 errmsg("scorecard %s: \"cap\" needs a \"target\"", label),
						 errhint("\"cap\" bounds value/target; a range is always clamped to [0, 1].")));
			if (!isfinite(m->cap) || !(m->cap > 0))
				ereport(ERROR,
						(errcode(code),
						 errmsg("scorecard %s: \"cap\" must be a number > 0", label),
						 errdetail("\"cap\" is %s.", scorecard_double_cstring(m->cap))));
		}
		if ((m->has_min && !isfinite(m->gate_min)) || (m->has_max && !isfinite(m->gate_max)))
			ereport(ERROR,
					(errcode(code),
					 errmsg("scorecard %s: \"min\" and \"max\" must be finite numbers", label)));
		if (m->has_min && m->has_max && m->gate_min > m->gate_max)
			ereport(ERROR,
					(errcode(code),
					 errmsg("scorecard %s: \"min\" must not exceed \"max\"", label),
					 errdetail("\"min\" is %s and \"max\" is %s.",
							   scorecard_double_cstring(m->gate_min), scorecard_double_cstring(m->gate_max))));
		if (m->has_min_n && (m->min_n < 0 || m->min_n > (int64) SCORECARD_MAX_INTEGER))
			ereport(ERROR,
					(errcode(code),
					 errmsg("scorecard %s: \"min_n\" must be an integer from 0 to 2^53 - 1", label),
					 errdetail("\"min_n\" is " INT64_FORMAT ".", m->min_n)));
		if (m->better == SCORECARD_BETTER_LOWER && !m->has_range && !m->has_target)
			ereport(ERROR,
					(errcode(code),
					 errmsg("scorecard %s: \"better\": \"lower\" needs a \"range\" or a \"target\"", label),
					 errhint("A raw stat always scores higher when larger; give a range or a target to reverse it.")));
		pfree(label);
	}

	if (!any_weight)
		ereport(ERROR,
				(errcode(code),
				 errmsg("scorecard weights are all zero"),
				 errhint("Give at least one metric a \"weight\" > 0.")));
	if (!isfinite(spec->scale) || !(spec->scale > 0))
		ereport(ERROR,
				(errcode(code),
				 errmsg("scorecard \"scale\" must be a number > 0"),
				 errdetail("\"scale\" is %s.", scorecard_double_cstring(spec->scale))));
	check_weight_total(spec);
	if (spec->min_rows < 0 || spec->min_rows > (int64) SCORECARD_MAX_INTEGER)
		ereport(ERROR,
				(errcode(code),
				 errmsg("scorecard \"min_rows\" must be an integer from 0 to 2^53 - 1"),
				 errdetail("\"min_rows\" is " INT64_FORMAT ".", spec->min_rows)));

	size = offsetof(Scorecard, entries) + spec->nmetrics * sizeof(ScorecardEntry);
	for (int i = 0; i < spec->nmetrics; i++)
		size += strlen(spec->metrics[i].name) + 1;

	card = (Scorecard *) palloc0(size);
	SET_VARSIZE(card, size);
	card->nmetrics = spec->nmetrics;
	card->scale = spec->scale;
	card->min_rows = spec->min_rows;
	names = (char *) &card->entries[spec->nmetrics];

	for (int i = 0; i < spec->nmetrics; i++)
	{
		MetricSpec *m = &spec->metrics[i];
		ScorecardEntry *e = &card->entries[i];
		Size		len = strlen(m->name) + 1;

		/* "+ 0.0" turns a -0 into 0, so the canonical text never shows "-0" */
		e->weight = m->weight + 0.0;
		e->stat = (uint8) m->stat;
		e->better = (uint8) m->better;
		e->if_missing = (uint8) m->if_missing;
		if (m->has_range)
		{
			e->norm = SCORECARD_NORM_RANGE;
			e->lo = m->lo + 0.0;
			e->hi = m->hi + 0.0;
		}
		else if (m->has_target)
		{
			e->norm = SCORECARD_NORM_TARGET;
			e->target = m->target;
			e->cap = m->cap;
		}
		else
			e->norm = SCORECARD_NORM_RAW;
		if (m->has_min)
		{
			e->flags |= SCORECARD_HAS_MIN;
			e->gate_min = m->gate_min + 0.0;
		}
		if (m->has_max)
		{
			e->flags |= SCORECARD_HAS_MAX;
			e->gate_max = m->gate_max + 0.0;
		}

		/*
		 * A count is a value even when it is 0 (no calls is a count, not a missing
		 * one), so it is never missing unless min_n says so; every other stat is
		 * missing without values.
		 */
		if (m->has_min_n)
			e->min_n = m->min_n;
		else
			e->min_n = (m->stat == SCORECARD_STAT_COUNT) ? 0 : 1;

		e->name_off = (uint32) (names - (char *) card);
		memcpy(names, m->name, len);
		names += len;
	}
	return card;
}

/*
 * Text input. The JSON is first parsed with PostgreSQL's parser into a small tree
 * (keeping duplicate keys, which jsonb would drop silently), then the tree is read.
 */
typedef struct JNode
{
	JsonTokenType type;			/* OBJECT_START, ARRAY_START or a scalar token type */
	char	   *text;			/* scalar: de-escaped string or the number's lexeme */
	List	   *keys;			/* object: field names, parallel to items */
	List	   *items;			/* object or array: JNode * */
} JNode;

typedef struct JTreeState
{
	JNode	   *root;
	List	   *stack;			/* open containers, innermost first */
	char	   *key;			/* field name awaiting its value */
} JTreeState;

static void
jtree_attach(JTreeState *st, JNode *node)
{
	JNode	   *parent;

	if (st->stack == NIL)
	{
		st->root = node;
		return;
	}
	parent = (JNode *) linitial(st->stack);
	if (parent->type == JSON_TOKEN_OBJECT_START)
		parent->keys = lappend(parent->keys, st->key);
	parent->items = lappend(parent->items, node);
}

static void
jtree_open(JTreeState *st, JsonTokenType type)
{
	JNode	   *node = palloc0(sizeof(JNode));

	node->type = type;
	jtree_attach(st, node);
	st->stack = lcons(node, st->stack);
}

static void
jtree_object_start(void *state)
{
	jtree_open((JTreeState *) state, JSON_TOKEN_OBJECT_START);
}

static void
jtree_array_start(void *state)
{
	jtree_open((JTreeState *) state, JSON_TOKEN_ARRAY_START);
}

static void
jtree_close(void *state)
{
	JTreeState *st = (JTreeState *) state;

	st->stack = list_delete_first(st->stack);
}

static void
jtree_field(void *state, char *fname, bool isnull)
{
	((JTreeState *) state)->key = fname;
}

static void
jtree_scalar(void *state, char *token, JsonTokenType tokentype)
{
	JNode	   *node = palloc0(sizeof(JNode));

	node->type = tokentype;
	node->text = token;
	jtree_attach((JTreeState *) state, node);
}

static JNode *
json_tree(const char *json)
{
	JsonLexContext *lex;
	JsonSemAction sem;
	JTreeState	st;
	JsonParseErrorType rc;

	memset(&st, 0, sizeof(st));
	memset(&sem, 0, sizeof(sem));
	sem.semstate = &st;
	sem.object_start = jtree_object_start;
	sem.object_end = jtree_close;
	sem.array_start = jtree_array_start;
	sem.array_end = jtree_close;
	sem.object_field_start = jtree_field;
	sem.scalar = jtree_scalar;

	lex = makeJsonLexContextCstringLen(pstrdup(json), strlen(json), GetDatabaseEncoding(), true);
	rc = pg_parse_json(lex, &sem);
	if (rc != JSON_SUCCESS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type scorecard: \"%s\"", json),
				 errdetail("The value is not valid JSON: %s", json_errdetail(rc, lex)),
				 errhint("Write a JSON object such as {\"metrics\": [{\"name\": \"calls\", \"stat\": \"count\"}]}.")));
	return st.root;
}

static const char *
json_type_name(const JNode *node)
{
	switch (node->type)
	{
		case JSON_TOKEN_OBJECT_START:
			return "an object";
		case JSON_TOKEN_ARRAY_START:
			return "an array";
		case JSON_TOKEN_STRING:
			return "a string";
		case JSON_TOKEN_NUMBER:
			return "a number";
		case JSON_TOKEN_TRUE:
		case JSON_TOKEN_FALSE:
			return "a boolean";
		default:
			return "null";
	}
}

/*
 * Reads a JSON number node. Errors read "scorecard <where>"<field>" ...", where is "" for
 * top-level fields and "metric \"aht\": " inside a metric.
 */
static double
read_number(const JNode *node, const char *where, const char *field)
{
	double		d;

	if (node->type != JSON_TOKEN_NUMBER)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("scorecard %s\"%s\" must be a number, not %s",
						where, field, json_type_name(node))));
	errno = 0;
	d = strtod(node->text, NULL);
	/* as float8in: overflow, and underflow to 0 (a denormal is kept), are out of range */
	if (!isfinite(d) || (errno == ERANGE && d == 0.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("scorecard %s\"%s\" is out of range", where, field),
				 errdetail("\"%s\" is %s.", field, node->text)));
	return d;
}

static int64
read_integer(const JNode *node, const char *where, const char *field)
{
	double		d = read_number(node, where, field);

	if (d != floor(d))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("scorecard %s\"%s\" must be an integer", where, field),
				 errdetail("\"%s\" is %s.", field, node->text)));
	/* 2^53 itself is what 2^53 + 1 reads as: refused with it */
	if (fabs(d) > SCORECARD_MAX_INTEGER)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("scorecard %s\"%s\" is out of range", where, field),
				 errdetail("\"%s\" is %s.", field, node->text)));
	return (int64) d;
}

static int
read_keyword(const JNode *node, const char *where, const char *field,
			 const char *const *words, int nwords)
{
	StringInfoData choices;

	if (node->type == JSON_TOKEN_STRING)
		for (int i = 0; i < nwords; i++)
			if (strcmp(node->text, words[i]) == 0)
				return i;

	initStringInfo(&choices);
	for (int i = 0; i < nwords; i++)
		appendStringInfo(&choices, "%s%s", i > 0 ? ", " : "", words[i]);
	if (node->type != JSON_TOKEN_STRING)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("scorecard %s\"%s\" must be a string, not %s",
						where, field, json_type_name(node)),
				 errhint("Use one of %s.", choices.data)));
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("scorecard %sunknown \"%s\" \"%s\"", where, field, node->text),
			 errhint("Use one of %s.", choices.data)));
	pg_unreachable();
}

/* Field names seen in one object, to reject duplicates. */
static void
check_duplicate_key(List *keys, int upto, const char *key, const char *where)
{
	for (int j = 0; j < upto; j++)
		if (strcmp((char *) list_nth(keys, j), key) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("scorecard %s\"%s\" is given twice", where, key)));
}

static void
read_metric(const JNode *node, int index, MetricSpec *m)
{
	static const char *const fields[] = {
		"name", "stat", "weight", "better", "range", "target", "cap", "min", "max",
		"min_n", "if_missing"
	};
	char	   *where;
	int			nkeys;

	metric_spec_init(m);
	if (node->type != JSON_TOKEN_OBJECT_START)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("scorecard metric %d must be a JSON object, not %s",
						index + 1, json_type_name(node))));

	/* The name first, so that every later error can name the metric. */
	nkeys = list_length(node->keys);
	for (int i = 0; i < nkeys; i++)
	{
		const JNode *v = list_nth(node->items, i);

		if (strcmp((char *) list_nth(node->keys, i), "name") == 0 &&
			v->type == JSON_TOKEN_STRING)
			m->name = v->text;
	}
	where = psprintf("%s: ", metric_label(m, index));

	m->name = NULL;
	for (int i = 0; i < nkeys; i++)
	{
		const char *key = list_nth(node->keys, i);
		const JNode *v = list_nth(node->items, i);
		int			f;

		for (f = 0; f < (int) lengthof(fields); f++)
			if (strcmp(key, fields[f]) == 0)
				break;
		if (f == lengthof(fields))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("scorecard %sunknown field \"%s\"", where, key),
					 errhint("A metric has name, stat, weight, better, range, target, cap, min, max, min_n and if_missing.")));
		check_duplicate_key(node->keys, i, key, where);
		/* null means "not given": the default applies */
		if (v->type == JSON_TOKEN_NULL)
			continue;

		switch (f)
		{
			case 0:				/* name */
				if (v->type != JSON_TOKEN_STRING)
					ereport(ERROR,
							(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
							 errmsg("scorecard %s\"name\" must be a string, not %s",
									where, json_type_name(v))));
				m->name = v->text;
				break;
			case 1:
				m->stat = read_keyword(v, where, "stat", stat_names, NSTATS);
				break;
			case 2:
				m->weight = read_number(v, where, "weight");
				break;
			case 3:
				m->better = read_keyword(v, where, "better", better_names, NBETTER);
				break;
			case 4:				/* range */
				if (v->type != JSON_TOKEN_ARRAY_START || list_length(v->items) != 2 ||
					((JNode *) linitial(v->items))->type != JSON_TOKEN_NUMBER ||
					((JNode *) lsecond(v->items))->type != JSON_TOKEN_NUMBER)
					ereport(ERROR,
							(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
							 errmsg("scorecard %s\"range\" must be an array of two numbers [lo, hi]",
									where)));
				m->has_range = true;
				m->lo = read_number(linitial(v->items), where, "range");
				m->hi = read_number(lsecond(v->items), where, "range");
				break;
			case 5:
				m->has_target = true;
				m->target = read_number(v, where, "target");
				break;
			case 6:
				m->has_cap = true;
				m->cap = read_number(v, where, "cap");
				break;
			case 7:
				m->has_min = true;
				m->gate_min = read_number(v, where, "min");
				break;
			case 8:
				m->has_max = true;
				m->gate_max = read_number(v, where, "max");
				break;
			case 9:
				m->has_min_n = true;
				m->min_n = read_integer(v, where, "min_n");
				break;
			case 10:
				m->if_missing = read_keyword(v, where, "if_missing", missing_names, NMISSING);
				break;
		}
	}
}

Scorecard *
scorecard_parse(const char *json)
{
	JNode	   *root = json_tree(json);
	CardSpec   *spec = palloc0(sizeof(CardSpec));
	const JNode *metrics = NULL;
	int			nkeys;
	Scorecard  *card;

	spec->scale = 100.0;
	spec->min_rows = 0;

	if (root->type != JSON_TOKEN_OBJECT_START)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("scorecard must be a JSON object, not %s", json_type_name(root)),
				 errhint("Write {\"metrics\": [...], \"scale\": 100, \"min_rows\": 0}.")));

	nkeys = list_length(root->keys);
	for (int i = 0; i < nkeys; i++)
	{
		const char *key = list_nth(root->keys, i);
		const JNode *v = list_nth(root->items, i);

		if (strcmp(key, "metrics") != 0 && strcmp(key, "scale") != 0 &&
			strcmp(key, "min_rows") != 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("scorecard has unknown field \"%s\"", key),
					 errhint("A scorecard has the fields metrics, scale and min_rows.")));
		check_duplicate_key(root->keys, i, key, "");
		if (v->type == JSON_TOKEN_NULL)
			continue;
		if (strcmp(key, "metrics") == 0)
			metrics = v;
		else if (strcmp(key, "scale") == 0)
			spec->scale = read_number(v, "", "scale");
		else
			spec->min_rows = read_integer(v, "", "min_rows");
	}

	if (metrics != NULL && metrics->type != JSON_TOKEN_ARRAY_START)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("scorecard \"metrics\" must be an array, not %s",
						json_type_name(metrics))));
	spec->nmetrics = metrics ? list_length(metrics->items) : 0;
	check_metric_count(spec->nmetrics, ERRCODE_INVALID_TEXT_REPRESENTATION);
	for (int i = 0; i < spec->nmetrics; i++)
		read_metric(list_nth(metrics->items, i), i, &spec->metrics[i]);

	card = scorecard_build(spec, ERRCODE_INVALID_TEXT_REPRESENTATION);
	pfree(spec);
	return card;
}

char *
scorecard_to_json(const Scorecard *card)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfoString(&buf, "{\"metrics\": [");
	for (int i = 0; i < card->nmetrics; i++)
	{
		const ScorecardEntry *e = &card->entries[i];

		if (i > 0)
			appendStringInfoString(&buf, ", ");
		appendStringInfoString(&buf, "{\"name\": ");
		escape_json(&buf, scorecard_metric_name(card, i));
		appendStringInfo(&buf, ", \"stat\": \"%s\", \"weight\": ", stat_names[e->stat]);
		scorecard_append_double(&buf, e->weight);
		appendStringInfo(&buf, ", \"better\": \"%s\"", better_names[e->better]);
		if (e->norm == SCORECARD_NORM_RANGE)
		{
			appendStringInfoString(&buf, ", \"range\": [");
			scorecard_append_double(&buf, e->lo);
			appendStringInfoString(&buf, ", ");
			scorecard_append_double(&buf, e->hi);
			appendStringInfoChar(&buf, ']');
		}
		else if (e->norm == SCORECARD_NORM_TARGET)
		{
			appendStringInfoString(&buf, ", \"target\": ");
			scorecard_append_double(&buf, e->target);
			appendStringInfoString(&buf, ", \"cap\": ");
			scorecard_append_double(&buf, e->cap);
		}
		if (e->flags & SCORECARD_HAS_MIN)
		{
			appendStringInfoString(&buf, ", \"min\": ");
			scorecard_append_double(&buf, e->gate_min);
		}
		if (e->flags & SCORECARD_HAS_MAX)
		{
			appendStringInfoString(&buf, ", \"max\": ");
			scorecard_append_double(&buf, e->gate_max);
		}
		appendStringInfo(&buf, ", \"min_n\": " INT64_FORMAT ", \"if_missing\": \"%s\"}",
						 e->min_n, missing_names[e->if_missing]);
	}
	appendStringInfoString(&buf, "], \"scale\": ");
	scorecard_append_double(&buf, card->scale);
	appendStringInfo(&buf, ", \"min_rows\": " INT64_FORMAT "}", card->min_rows);
	return buf.data;
}

/*
 * Binary format, version 1: int8 version, int32 nmetrics, float8 scale, int64 min_rows;
 * per metric: int32 name length and the name's bytes (client encoding), uint8 stat,
 * better, if_missing, norm and flags, float8 weight, then float8 lo and hi (range) or
 * target and cap (target), float8 min and max when flagged, int64 min_n.
 */
static void
recv_need(StringInfo buf, int nbytes)
{
	if (buf->len - buf->cursor < nbytes)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid binary scorecard: value is truncated")));
}

static int
recv_uint8(StringInfo buf)
{
	recv_need(buf, 1);
	return pq_getmsgbyte(buf);
}

static double
recv_float8(StringInfo buf)
{
	recv_need(buf, 8);
	return pq_getmsgfloat8(buf);
}

static int64
recv_int64(StringInfo buf)
{
	recv_need(buf, 8);
	return pq_getmsgint64(buf);
}

static Scorecard *
scorecard_recv_internal(StringInfo buf)
{
	CardSpec   *spec = palloc0(sizeof(CardSpec));
	int			version;
	int32		n;
	Scorecard  *card;

	version = recv_uint8(buf);
	if (version != SCORECARD_BINARY_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid binary scorecard: unsupported version %d", version),
				 errhint("This build reads version %d.", SCORECARD_BINARY_VERSION)));
	recv_need(buf, 4);
	n = pq_getmsgint(buf, 4);
	spec->scale = recv_float8(buf);
	spec->min_rows = recv_int64(buf);
	spec->nmetrics = n;
	check_metric_count(n, ERRCODE_INVALID_BINARY_REPRESENTATION);

	for (int i = 0; i < n; i++)
	{
		MetricSpec *m = &spec->metrics[i];
		int32		len;
		const char *raw;
		char	   *name;
		int			norm;
		int			flags;

		metric_spec_init(m);
		recv_need(buf, 4);
		len = pq_getmsgint(buf, 4);
		if (len < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					 errmsg("invalid binary scorecard: negative name length")));
		recv_need(buf, len);
		raw = pq_getmsgbytes(buf, len);
		if (memchr(raw, '\0', len) != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					 errmsg("invalid binary scorecard: metric %d name contains a zero byte", i + 1)));
		name = pnstrdup(raw, len);
		m->name = pg_client_to_server(name, len);

		m->stat = recv_uint8(buf);
		m->better = recv_uint8(buf);
		m->if_missing = recv_uint8(buf);
		norm = recv_uint8(buf);
		flags = recv_uint8(buf);
		if (norm > SCORECARD_NORM_TARGET ||
			(flags & ~(SCORECARD_HAS_MIN | SCORECARD_HAS_MAX)) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					 errmsg("invalid binary scorecard: metric %d has unknown normalization %d or flags %d",
							i + 1, norm, flags)));
		m->weight = recv_float8(buf);
		if (norm == SCORECARD_NORM_RANGE)
		{
			m->has_range = true;
			m->lo = recv_float8(buf);
			m->hi = recv_float8(buf);
		}
		else if (norm == SCORECARD_NORM_TARGET)
		{
			m->has_target = true;
			m->has_cap = true;
			m->target = recv_float8(buf);
			m->cap = recv_float8(buf);
		}
		if (flags & SCORECARD_HAS_MIN)
		{
			m->has_min = true;
			m->gate_min = recv_float8(buf);
		}
		if (flags & SCORECARD_HAS_MAX)
		{
			m->has_max = true;
			m->gate_max = recv_float8(buf);
		}
		m->has_min_n = true;
		m->min_n = recv_int64(buf);
	}
	if (buf->cursor != buf->len)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid binary scorecard: unexpected bytes after the end of the value"),
				 errdetail("%d bytes remain.", buf->len - buf->cursor)));

	card = scorecard_build(spec, ERRCODE_INVALID_BINARY_REPRESENTATION);
	pfree(spec);
	return card;
}

static bytea *
scorecard_send_internal(const Scorecard *card)
{
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, SCORECARD_BINARY_VERSION);
	pq_sendint32(&buf, card->nmetrics);
	pq_sendfloat8(&buf, card->scale);
	pq_sendint64(&buf, card->min_rows);
	for (int i = 0; i < card->nmetrics; i++)
	{
		const ScorecardEntry *e = &card->entries[i];
		const char *name = scorecard_metric_name(card, i);
		char	   *conv = pg_server_to_client(name, strlen(name));
		int			len = strlen(conv);

		pq_sendint32(&buf, len);
		pq_sendbytes(&buf, conv, len);
		pq_sendbyte(&buf, e->stat);
		pq_sendbyte(&buf, e->better);
		pq_sendbyte(&buf, e->if_missing);
		pq_sendbyte(&buf, e->norm);
		pq_sendbyte(&buf, e->flags);
		pq_sendfloat8(&buf, e->weight);
		if (e->norm == SCORECARD_NORM_RANGE)
		{
			pq_sendfloat8(&buf, e->lo);
			pq_sendfloat8(&buf, e->hi);
		}
		else if (e->norm == SCORECARD_NORM_TARGET)
		{
			pq_sendfloat8(&buf, e->target);
			pq_sendfloat8(&buf, e->cap);
		}
		if (e->flags & SCORECARD_HAS_MIN)
			pq_sendfloat8(&buf, e->gate_min);
		if (e->flags & SCORECARD_HAS_MAX)
			pq_sendfloat8(&buf, e->gate_max);
		pq_sendint64(&buf, e->min_n);
	}
	return pq_endtypsend(&buf);
}

/* scorecard_in(cstring) returns the parsed, validated scorecard. */
PG_FUNCTION_INFO_V1(scorecard_in);
Datum
scorecard_in(PG_FUNCTION_ARGS)
{
	PG_RETURN_SCORECARD_P(scorecard_parse(PG_GETARG_CSTRING(0)));
}

/* scorecard_out(scorecard) returns the canonical JSON text. */
PG_FUNCTION_INFO_V1(scorecard_out);
Datum
scorecard_out(PG_FUNCTION_ARGS)
{
	PG_RETURN_CSTRING(scorecard_to_json(PG_GETARG_SCORECARD_P(0)));
}

/* scorecard_recv(internal) returns a scorecard read from the binary format. */
PG_FUNCTION_INFO_V1(scorecard_recv);
Datum
scorecard_recv(PG_FUNCTION_ARGS)
{
	PG_RETURN_SCORECARD_P(scorecard_recv_internal((StringInfo) PG_GETARG_POINTER(0)));
}

/* scorecard_send(scorecard) returns the binary format as bytea. */
PG_FUNCTION_INFO_V1(scorecard_send);
Datum
scorecard_send(PG_FUNCTION_ARGS)
{
	PG_RETURN_BYTEA_P(scorecard_send_internal(PG_GETARG_SCORECARD_P(0)));
}
