// SPDX-License-Identifier: MIT
/*
 * iommusim show [-p PLATFORM] [--profile P] [--json|--dot]
 *
 * Loads a platform, builds it into a fresh core in the chosen kernel
 * profile, and draws the result:
 *
 *   text    IOMMU instances -> groups -> devices: each group with its
 *           default and current domain, DMA owner and reserved regions,
 *           each device with its bound driver and IDs;
 *   --json  the JSON state (DESIGN 3) plus "platform" and, per device,
 *           what the platform says (driver, node, PCI IDs, BARs, ...);
 *   --dot   Graphviz: instances, groups as clusters, devices, domains.
 *
 * Exit status: 0, 1 for a bad platform (its message on stderr), 2 for bad
 * arguments.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "cli.h"
#include "core/core.h"
#include "core/state.h"
#include "topo/topo.h"

enum show_format { SHOW_TEXT, SHOW_JSON, SHOW_DOT };

struct show {
	const char *platform_name;
	enum ims_profile profile;
	enum show_format format;
	struct ims_platform *platform;
	struct ims_core *core;
	struct ims_topo *topo;
};

static const char usage[] =
	"usage: iommusim show [-p PLATFORM] [--profile upstream|seed|legacy] [--json|--dot]\n"
	"\n"
	"Build a platform (a built-in name or a .dts/.dtb file) and draw its IOMMU\n"
	"instances, groups, devices and domains.";

static int parse_args(struct show *s, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "platform", required_argument, NULL, 'p' },
		{ "profile", required_argument, NULL, 'P' },
		{ "json", no_argument, NULL, 'j' },
		{ "dot", no_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":p:h", longopts, NULL)) != -1) {
		if (opt == 'p')
			s->platform_name = optarg;
		else if (opt == 'P' && ims_profile_from_name(optarg, &s->profile))
			return cli_usage_error("show: unknown profile '%s'", optarg);
		else if (opt == 'j' || opt == 'd')
			s->format = s->format != SHOW_TEXT ? (enum show_format)-1 :
				    opt == 'j' ? SHOW_JSON : SHOW_DOT;
		else if (opt == 'h')
			return puts(usage) < 0 ? 1 : -1;
		else if (opt != 'P')
			return cli_usage_error("show: bad option '%s'", argv[optind - 1]);
	}
	if ((int)s->format < 0)
		return cli_usage_error("show: --json and --dot exclude each other");
	if (optind < argc)
		return cli_usage_error("show: unexpected argument '%s'", argv[optind]);
	return 0;
}

static int build(struct show *s)
{
	struct ims_core_config cfg = { .profile = s->profile };
	char err[512];
	int ret;

	ret = ims_platform_load(s->platform_name, &s->platform, err, sizeof(err));
	if (ret)
		return cli_error("%s", err);
	ret = ims_core_create(&cfg, &s->core);
	if (ret)
		return cli_error("cannot create a core: %s", strerror(-ret));
	ret = ims_topo_instantiate(s->platform, s->core, &s->topo, err, sizeof(err));
	return ret ? cli_error("%s", err) : 0;
}

/* ---- text ---- */

static const char *domain_type(const struct ims_domain *domain)
{
	return domain ? ims_domain_type_name(domain->type) : "-";
}

static void print_group_regions(struct ims_group *group)
{
	struct ims_resv_list list;

	ims_resv_list_init(&list);
	if (ims_group_get_resv_regions(group, &list) == 0) {
		for (size_t i = 0; i < list.nr; i++) {
			const struct ims_resv_region *r = &list.regions[i];

			printf("      reserved 0x%09" PRIx64 "-0x%09" PRIx64 "  %s\n", r->start,
			       r->start + r->length - 1, ims_resv_type_name(r->type));
		}
	}
	ims_resv_list_free(&list);
}

static void print_device(const struct show *s, const struct ims_device *dev)
{
	const struct ims_topo_device *d = ims_topo_device_of(s->topo, dev);
	const char *driver = d && d->driver ? d->driver : "-";

	if (d && d->bus == IMS_BUS_PCI)
		printf("    %-14s %-14s %04x:%04x class %06x%s%s\n", dev->name, driver,
		       d->pci.vendor, d->pci.device, d->pci.class_code,
		       dev->require_direct ? "  direct-mapped" : "",
		       d->untrusted ? "  untrusted" : "");
	else
		printf("    %-14s %-14s %s%s\n", dev->name, driver, d ? d->node : "",
		       dev->require_direct ? "  direct-mapped" : "");
}

static void print_group(const struct show *s, struct ims_group *group)
{
	struct ims_device *dev;

	printf("  group %-3u default %-8s domain %-3u %-8s owner %s (%u)\n", group->id,
	       domain_type(group->default_domain), group->domain ? group->domain->id : 0,
	       domain_type(group->domain),
	       group->owner ? "user" : group->owner_cnt ? "kernel" : "none", group->owner_cnt);
	ims_group_for_each_device(group, dev)
		print_device(s, dev);
	print_group_regions(group);
}

static void print_text(const struct show *s)
{
	struct ims_iommu *iommu;
	struct ims_group *group;
	struct ims_device *dev;
	bool header = false;
	uint32_t id;

	printf("%s: %s\nprofile %s (%s)\n", ims_platform_name(s->platform),
	       ims_platform_description(s->platform), s->core->facts->name, s->core->facts->era);
	ims_list_for_each_entry(iommu, &s->core->iommus, node) {
		printf("\n%s (%s)\n", iommu->name, iommu->ops->name);
		ims_idtable_for_each(&s->core->groups, id, group)
			if (ims_group_first_device(group)->iommu == iommu)
				print_group(s, group);
	}
	ims_list_for_each_entry(dev, &s->core->devices, core_node) {
		if (dev->group)
			continue;
		if (!header)
			puts("\nnot behind an IOMMU");
		header = true;
		print_device(s, dev);
	}
}

/* ---- JSON ---- */

static json_object *bars_json(const struct ims_topo_device *d)
{
	json_object *a = json_object_new_array();

	for (unsigned int i = 0; i < d->nr_bars; i++) {
		json_object *o = json_object_new_object();
		uint32_t f = d->bars[i].flags;

		json_object_object_add(o, "index", json_object_new_int((int)d->bars[i].index));
		json_object_object_add(o, "size", json_object_new_int64((int64_t)d->bars[i].size));
		json_object_object_add(o, "io", json_object_new_boolean(f & IMS_TOPO_BAR_IO));
		json_object_object_add(o, "mem64", json_object_new_boolean(f & IMS_TOPO_BAR_MEM64));
		json_object_object_add(o, "prefetchable",
				       json_object_new_boolean(f & IMS_TOPO_BAR_PREFETCH));
		json_object_object_add(o, "mmap", json_object_new_boolean(!(f & (IMS_TOPO_BAR_IO |
								IMS_TOPO_BAR_NO_MMAP))));
		json_object_array_add(a, o);
	}
	return a;
}

static json_object *pci_json(const struct ims_topo_device *d)
{
	json_object *o = json_object_new_object();
	char hex[16];

#define ADD_HEX(key, fmt, v)                                          \
	do {                                                          \
		snprintf(hex, sizeof(hex), fmt, v);                   \
		json_object_object_add(o, key, json_object_new_string(hex)); \
	} while (0)
	ADD_HEX("vendor", "0x%04x", d->pci.vendor);
	ADD_HEX("device", "0x%04x", d->pci.device);
	ADD_HEX("subsystem_vendor", "0x%04x", d->pci.subsystem_vendor);
	ADD_HEX("subsystem_device", "0x%04x", d->pci.subsystem_device);
	ADD_HEX("class", "0x%06x", d->pci.class_code);
	ADD_HEX("revision", "0x%02x", d->pci.revision);
#undef ADD_HEX
	json_object_object_add(o, "bridge", json_object_new_boolean(d->pci.bridge));
	json_object_object_add(o, "acs", json_object_new_boolean(d->pci.acs));
	json_object_object_add(o, "multifunction", json_object_new_boolean(d->pci.multifunction));
	json_object_object_add(o, "upstream", d->pci.upstream ?
			       json_object_new_string(d->pci.upstream->name) : NULL);
	json_object_object_add(o, "dma_alias", d->pci.dma_alias ?
			       json_object_new_string(d->pci.dma_alias->name) : NULL);
	json_object_object_add(o, "bars", bars_json(d));
	return o;
}

static json_object *regions_json(const struct ims_topo_device *d)
{
	json_object *a = json_object_new_array();

	for (unsigned int i = 0; i < d->nr_resv; i++) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "start", json_object_new_int64((int64_t)d->resv[i].start));
		json_object_object_add(o, "length",
				       json_object_new_int64((int64_t)d->resv[i].length));
		json_object_object_add(o, "type",
				       json_object_new_string(ims_resv_type_name(d->resv[i].type)));
		json_object_array_add(a, o);
	}
	return a;
}

/* What the platform says about one device, added to its entry of "devices". */
static void add_device_facts(json_object *o, const struct ims_topo_device *d)
{
	json_object_object_add(o, "driver", d->driver ? json_object_new_string(d->driver) : NULL);
	json_object_object_add(o, "binding",
			       json_object_new_string(ims_topo_binding_name(d->binding)));
	json_object_object_add(o, "node", json_object_new_string(d->node));
	json_object_object_add(o, "bus", json_object_new_string(d->bus == IMS_BUS_PCI ?
								   "pci" : "platform"));
	if (d->bus == IMS_BUS_PCI)
		json_object_object_add(o, "pci", pci_json(d));
	json_object_object_add(o, "firmware_regions", regions_json(d));
	json_object_object_add(o, "untrusted", json_object_new_boolean(d->untrusted));
	json_object_object_add(o, "msi_isolated", json_object_new_boolean(d->msi_isolated));
	json_object_object_add(o, "cache_coherent", json_object_new_boolean(d->cache_coherent));
}

static int print_json(const struct show *s)
{
	json_object *state = json_object_new_object(), *platform = json_object_new_object();
	json_object *devices;

	json_object_object_add(platform, "name",
			       json_object_new_string(ims_platform_name(s->platform)));
	json_object_object_add(platform, "description",
			       json_object_new_string(ims_platform_description(s->platform)));
	json_object_object_add(platform, "source",
			       json_object_new_string(ims_topo_source(s->platform)));
	json_object_object_add(state, "platform", platform);
	ims_core_state_add_json(s->core, state);
	if (json_object_object_get_ex(state, "devices", &devices)) {
		for (size_t i = 0; i < json_object_array_length(devices); i++) {
			json_object *o = json_object_array_get_idx(devices, i), *name;
			const struct ims_topo_device *d = NULL;

			if (json_object_object_get_ex(o, "name", &name))
				d = ims_topo_find_device(s->platform, json_object_get_string(name));
			if (d)
				add_device_facts(o, d);
		}
	}
	puts(json_object_to_json_string_ext(state, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
					    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(state);
	return 0;
}

/* ---- Graphviz ---- */

static void dot_group(const struct show *s, struct ims_group *group)
{
	struct ims_device *dev, *first = ims_group_first_device(group);

	printf("\tsubgraph cluster_group_%u {\n\t\tlabel=\"group %u\";\n", group->id, group->id);
	ims_group_for_each_device(group, dev) {
		const struct ims_topo_device *d = ims_topo_device_of(s->topo, dev);

		printf("\t\t\"%s\" [shape=box, label=\"%s\\n%s\"];\n", dev->name, dev->name,
		       d && d->driver ? d->driver : "no driver");
	}
	puts("\t}");
	if (group->domain)
		printf("\t\"%s\" -> \"domain %u\" [ltail=cluster_group_%u];\n", first->name,
		       group->domain->id, group->id);
	if (group->default_domain && group->default_domain != group->domain)
		printf("\t\"%s\" -> \"domain %u\" [ltail=cluster_group_%u, style=dashed, "
		       "label=\"default\"];\n", first->name, group->default_domain->id, group->id);
}

static void dot_domains(const struct show *s)
{
	struct ims_domain *domain;
	struct ims_group *group;
	uint32_t id, gid;

	ims_idtable_for_each(&s->core->domains, id, domain) {
		printf("\t\"domain %u\" [shape=ellipse, label=\"domain %u\\n%s\"];\n", id, id,
		       ims_domain_type_name(domain->type));
		ims_idtable_for_each(&s->core->groups, gid, group) {
			struct ims_iommu *iommu = ims_group_first_device(group)->iommu;

			if (group->domain == domain || group->default_domain == domain) {
				printf("\t\"domain %u\" -> \"iommu %s\";\n", id,
				       domain->iommu ? domain->iommu->name : iommu->name);
				break;
			}
		}
	}
}

static void print_dot(const struct show *s)
{
	struct ims_iommu *iommu;
	struct ims_group *group;
	struct ims_device *dev;
	uint32_t id;

	printf("digraph iommusim {\n\tcompound=true;\n\trankdir=LR;\n"
	       "\tlabel=\"%s (%s)\";\n\tnode [fontname=\"monospace\"];\n",
	       ims_platform_name(s->platform), s->core->facts->name);
	ims_list_for_each_entry(iommu, &s->core->iommus, node)
		printf("\t\"iommu %s\" [shape=box3d, label=\"%s\\n%s\"];\n", iommu->name,
		       iommu->name, iommu->ops->name);
	ims_idtable_for_each(&s->core->groups, id, group)
		dot_group(s, group);
	ims_list_for_each_entry(dev, &s->core->devices, core_node)
		if (!dev->group)
			printf("\t\"%s\" [shape=box, style=dotted];\n", dev->name);
	dot_domains(s);
	puts("}");
}

static int show_run(int argc, char **argv)
{
	struct show s = { .platform_name = ims_platform_default() };
	int ret = parse_args(&s, argc, argv);

	if (ret == 2)
		fprintf(stderr, "%.*s\n", (int)strcspn(usage, "\n"), usage);
	if (ret)
		return ret < 0 ? 0 : ret;
	ret = build(&s);
	if (!ret && s.format == SHOW_JSON)
		print_json(&s);
	else if (!ret && s.format == SHOW_DOT)
		print_dot(&s);
	else if (!ret)
		print_text(&s);
	ims_topo_remove(s.topo);
	ims_core_destroy(s.core);
	ims_platform_free(s.platform);
	return ret;
}

const struct cli_command cli_show = {
	.name = "show",
	.summary = "draw a platform: IOMMUs, groups, devices, domains (text, --json, --dot)",
	.run = show_run,
};
