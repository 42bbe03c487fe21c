// SPDX-License-Identifier: MIT
/*
 * iommusim matrix [--profile P] [--format text|tsv|json] [--strict]
 *
 * Runs every driver model's compatibility cases for real in each profile
 * (src/topo/matrix.c) and prints, per case, the errno, its class and the
 * verdict against the profile's contract: the check the series' reviewer
 * did by hand, for every driver and every era.  --strict exits 1 when any
 * case violates its profile's contract.
 */
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "topo/matrix.h"
#include "util/errname.h"

enum format { TEXT, TSV, JSON };

struct matrix_run {
	enum format format;
	json_object *json;
	int violations;
	const struct ims_driver_model *last_model;
};

static void print_text(struct matrix_run *run, const struct ims_matrix_result *r)
{
	if (run->last_model != r->model) {
		printf("\n%s\n", r->model->name);
		run->last_model = r->model;
	}
	printf("  %-9s %-26s %-12s %-7s %-9s %s\n", ims_profile_name(r->profile), r->mcase->name,
	       r->class == IMS_MATRIX_ABSENT ? "-" : ims_errname(r->err),
	       ims_matrix_class_name(r->class), r->violation ? "VIOLATION" : "OK", r->detail);
}

static void print_tsv(const struct ims_matrix_result *r)
{
	printf("%s\t%s\t%s\t%s\t%s\t%s\n", ims_profile_name(r->profile), r->model->name,
	       r->mcase->name, r->class == IMS_MATRIX_ABSENT ? "-" : ims_errname(r->err),
	       ims_matrix_class_name(r->class), r->violation ? "VIOLATION" : "OK");
}

static void add_json(struct matrix_run *run, const struct ims_matrix_result *r)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "profile", json_object_new_string(ims_profile_name(r->profile)));
	json_object_object_add(o, "driver", json_object_new_string(r->model->name));
	json_object_object_add(o, "case", json_object_new_string(r->mcase->name));
	json_object_object_add(o, "errno", json_object_new_string(
		r->class == IMS_MATRIX_ABSENT ? "-" : ims_errname(r->err)));
	json_object_object_add(o, "class", json_object_new_string(ims_matrix_class_name(r->class)));
	json_object_object_add(o, "verdict", json_object_new_string(r->violation ? "VIOLATION" : "OK"));
	json_object_object_add(o, "detail", json_object_new_string(r->detail));
	json_object_array_add(run->json, o);
}

static void report(struct matrix_run *run, const struct ims_matrix_result *r)
{
	run->violations += r->violation;
	if (run->format == TEXT)
		print_text(run, r);
	else if (run->format == TSV)
		print_tsv(r);
	else
		add_json(run, r);
}

static void run_all(struct matrix_run *run, int only_profile)
{
	for (size_t m = 0; ims_driver_models[m]; m++) {
		const struct ims_driver_model *model = ims_driver_models[m];

		for (int p = 0; p < IMS_PROFILE_NR; p++) {
			if (only_profile >= 0 && p != only_profile)
				continue;
			for (const struct ims_matrix_case *c = model->matrix_cases; c && c->name; c++) {
				struct ims_matrix_result r;

				ims_matrix_run_case(model, c, (enum ims_profile)p, &r);
				report(run, &r);
			}
		}
	}
}

static int parse_format(const char *s, enum format *out)
{
	static const char *const names[] = { [TEXT] = "text", [TSV] = "tsv", [JSON] = "json" };

	for (int i = 0; i <= JSON; i++) {
		if (!strcmp(s, names[i])) {
			*out = (enum format)i;
			return 0;
		}
	}
	return -1;
}

static int matrix_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "profile", required_argument, NULL, 'P' },
		{ "format", required_argument, NULL, 'f' },
		{ "strict", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct matrix_run run = { .format = TEXT };
	int opt, only = -1;
	bool strict = false;

	while ((opt = getopt_long(argc, argv, "P:f:sh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'P':
			if (cli_parse_profile(optarg, &only))
				return 2;
			break;
		case 'f':
			if (parse_format(optarg, &run.format))
				return cli_usage_error("unknown format '%s' (text, tsv, json)", optarg);
			break;
		case 's':
			strict = true;
			break;
		case 'h':
			puts("usage: iommusim matrix [--profile P] [--format text|tsv|json] [--strict]");
			return 0;
		default:
			return cli_usage_error("matrix: bad option");
		}
	}
	if (run.format == TEXT)
		printf("profile   case                       errno        class   verdict   detail\n");
	if (run.format == JSON)
		run.json = json_object_new_array();
	run_all(&run, only);
	if (run.format == JSON) {
		puts(json_object_to_json_string_ext(run.json, JSON_C_TO_STRING_PRETTY));
		json_object_put(run.json);
	}
	if (run.format == TEXT)
		printf("\n%d violation%s of the profiles' contracts\n", run.violations,
		       run.violations == 1 ? "" : "s");
	return strict && run.violations ? 1 : 0;
}

const struct cli_command cli_matrix = {
	.name = "matrix",
	.summary = "run every driver's compatibility cases and check each profile's contract",
	.run = matrix_main,
};
