// SPDX-License-Identifier: MIT
/*
 * iommusim demo: the attach contract's story, told on a platform.
 *
 * For each profile it does what a VMM does with the legacy VFIO API —
 * open a container, add every VFIO group of the platform one after the
 * other with VFIO_GROUP_SET_CONTAINER, set the IOMMU type after the first,
 * map some memory — through the library's syscall surface, and narrates
 * every attach answer the drivers give, its class (soft or hard) in that
 * profile, and what the container decided.  It ends with the picture of
 * devices, groups, domains and the container, and a table comparing the
 * profiles group by group.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <json-c/json.h>
#include <linux/vfio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "cli.h"
#include "host/host.h"
#include "util/errname.h"

#define DEMO_MAP_IOVA 0x100000ull
#define DEMO_MAP_SIZE (16ull << 20)
#define DEMO_HIGH_IOVA (4ull << 30) /* beyond a 32-bit aperture */
#define DEMO_HIGH_SIZE (2ull << 20)
#define MAX_GROUPS 64

struct demo {
	struct ims_host *host;
	enum ims_profile profile;
	const char *outcome[MAX_GROUPS]; /* per iommu_group: what happened */
	char outcome_buf[MAX_GROUPS][48];
	bool quiet;
};

static const char *answer_class(const struct demo *d, int err)
{
	if (!err)
		return "ok";
	if (ims_err_is_soft(d->host->core, err))
		return "soft";
	return "hard";
}

static void on_trace(void *arg, const struct ims_trace_event *ev)
{
	struct demo *d = arg;
	char desc[128];

	if (d->quiet || !ev->domain)
		return;
	switch (ev->kind) {
	case IMS_TRACE_ATTACH:
	case IMS_TRACE_REJECT:
		/* Ownership moves between core domains are not the story, refusals are. */
		if (ev->domain->type != IMS_DOMAIN_UNMANAGED && ev->kind == IMS_TRACE_ATTACH)
			return;
		printf("      %s %s -> %s: %s (%s)%s%s%s\n",
		       ev->kind == IMS_TRACE_REJECT ? "core refuses" : "attach",
		       ev->dev->name, ims_domain_describe(ev->domain, desc, sizeof(desc)),
		       ims_errname(ev->err), answer_class(d, ev->err),
		       ev->reason ? " - " : "", ev->reason ? ev->reason : "", "");
		break;
	case IMS_TRACE_DECISION:
		if (ev->err || !ev->reason || strncmp(ev->reason, "not tried", 9))
			printf("      => %s\n", ev->reason ? ev->reason : "");
		else
			printf("      domain %u %s\n", ev->domain->id, ev->reason);
		break;
	case IMS_TRACE_DOMAIN_ALLOC:
		if (ev->domain->type == IMS_DOMAIN_UNMANAGED)
			printf("      + %s\n", ims_domain_describe(ev->domain, desc, sizeof(desc)));
		break;
	case IMS_TRACE_DOMAIN_FREE:
		if (ev->domain->type == IMS_DOMAIN_UNMANAGED)
			printf("      - domain %u freed\n", ev->domain->id);
		break;
	default:
		break;
	}
}

static int count_unmanaged(struct ims_host *host)
{
	struct ims_domain *domain;
	uint32_t id;
	int n = 0;

	ims_idtable_for_each(&host->core->domains, id, domain)
		n += domain->type == IMS_DOMAIN_UNMANAGED;
	return n;
}

static void print_group_header(struct ims_group *group)
{
	struct ims_device *dev;
	const char *sep = "";

	printf("\n  group %u (", group->id);
	ims_group_for_each_device(group, dev) {
		printf("%s%s", sep, dev->name);
		sep = ", ";
	}
	printf(") behind %s\n", ims_group_first_device(group)->iommu->name);
}

static void record(struct demo *d, struct ims_group *group, const char *fmt, const char *arg)
{
	if (group->id >= MAX_GROUPS)
		return;
	snprintf(d->outcome_buf[group->id], sizeof(d->outcome_buf[0]), fmt, arg);
	d->outcome[group->id] = d->outcome_buf[group->id];
}

static void map_dma(struct ims_host *host, int container, void *buf, uint64_t iova,
		    uint64_t size)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map), .flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)buf, .iova = iova, .size = size,
	};
	long ret = ims_ioctl(host, container, VFIO_IOMMU_MAP_DMA, &map);

	printf("    VFIO_IOMMU_MAP_DMA %llu MiB at IOVA 0x%llx -> %s\n",
	       (unsigned long long)(size >> 20), (unsigned long long)iova, ims_errname((int)ret));
}

static bool first_group(struct ims_host *host, int container, void *buf)
{
	long ret;

	printf("    VFIO_SET_IOMMU(VFIO_TYPE1v2_IOMMU)\n");
	ret = ims_ioctl(host, container, VFIO_SET_IOMMU, (void *)VFIO_TYPE1v2_IOMMU);
	printf("    -> %s\n", ims_errname((int)ret));
	if (ret)
		return false;
	map_dma(host, container, buf, DEMO_MAP_IOVA, DEMO_MAP_SIZE);
	map_dma(host, container, buf, DEMO_HIGH_IOVA, DEMO_HIGH_SIZE);
	return true;
}

static void add_group(struct demo *d, int container, struct ims_vfio_group *vg,
		      bool *have_iommu, void *buf)
{
	struct vfio_group_status st = { .argsz = sizeof(st) };
	char path[32];
	int gfd, cfd = container, before = count_unmanaged(d->host);
	long ret;

	print_group_header(vg->group);
	snprintf(path, sizeof(path), "/dev/vfio/%u", vg->group->id);
	gfd = ims_open(d->host, path, O_RDWR);
	if (gfd < 0)
		return;
	ims_ioctl(d->host, gfd, VFIO_GROUP_GET_STATUS, &st);
	if (!(st.flags & VFIO_GROUP_FLAGS_VIABLE))
		printf("    not viable: a device of the group is bound to a kernel driver\n");
	printf("    VFIO_GROUP_SET_CONTAINER\n");
	ret = ims_ioctl(d->host, gfd, VFIO_GROUP_SET_CONTAINER, &cfd);
	printf("    -> %s%s\n", ims_errname((int)ret), ret ? " (the group stays out)" : "");
	if (ret) {
		record(d, vg->group, "%s", ims_errname((int)ret));
		ims_close(d->host, gfd);
		return;
	}
	if (!*have_iommu)
		*have_iommu = first_group(d->host, container, buf);
	record(d, vg->group, "%s", count_unmanaged(d->host) > before || !before ?
	       "own domain" : "shares a domain");
	printf("    domains in the container: %d\n", count_unmanaged(d->host));
	/* The fd stays open: the group stays in the container until the end. */
}

static void print_picture(struct ims_host *host)
{
	struct ims_domain *domain;
	struct ims_group *group;
	uint32_t id, gid;
	char desc[128];

	printf("\n  final picture:\n");
	ims_idtable_for_each(&host->core->domains, id, domain) {
		if (domain->type != IMS_DOMAIN_UNMANAGED)
			continue;
		printf("    %s, %llu MiB mapped\n", ims_domain_describe(domain, desc, sizeof(desc)),
		       (unsigned long long)(domain->mapped_bytes >> 20));
		ims_idtable_for_each(&host->core->groups, gid, group) {
			struct ims_device *dev;

			if (group->domain != domain)
				continue;
			ims_group_for_each_device(group, dev)
				printf("      group %-3u %s\n", gid, dev->name);
		}
	}
}

static int run_profile(struct demo *d, const char *platform, bool json)
{
	struct ims_host_options opts = { .profile = ims_profile_name(d->profile) };
	void *buf = mmap(NULL, DEMO_MAP_SIZE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	bool have_iommu = false;
	char err[512];
	int container, ret;

	if (buf == MAP_FAILED)
		return cli_error("cannot allocate demo memory: %s", strerror(errno));
	ret = ims_host_create(platform, &opts, &d->host, err, sizeof(err));
	if (ret) {
		munmap(buf, DEMO_MAP_SIZE);
		return cli_error("%s", err);
	}
	ims_core_set_trace(d->host->core, on_trace, d);
	printf("\n== profile %s: %s ==\n", d->host->core->facts->name, d->host->core->facts->era);
	container = ims_open(d->host, "/dev/vfio/vfio", O_RDWR);
	for (uint32_t i = 0; container >= 0 && i < d->host->nr_vgroups; i++)
		if (d->host->vgroups[i])
			add_group(d, container, d->host->vgroups[i], &have_iommu, buf);
	print_picture(d->host);
	if (json) {
		char *state = ims_host_state_json(d->host, true);

		printf("%s\n", state ? state : "{}");
		free(state);
	}
	d->quiet = true;
	ims_host_destroy(d->host);
	munmap(buf, DEMO_MAP_SIZE);
	return 0;
}

static void print_summary(struct demo *runs, int nr)
{
	printf("\n== what each profile did with each group ==\n  %-8s", "group");
	for (int p = 0; p < nr; p++)
		printf("  %-16s", ims_profile_name(runs[p].profile));
	printf("\n");
	for (int g = 0; g < MAX_GROUPS; g++) {
		bool any = false;

		for (int p = 0; p < nr; p++)
			any |= runs[p].outcome[g] != NULL;
		if (!any)
			continue;
		printf("  %-8d", g);
		for (int p = 0; p < nr; p++)
			printf("  %-16s", runs[p].outcome[g] ? runs[p].outcome[g] : "-");
		printf("\n");
	}
}

static int demo_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "profile", required_argument, NULL, 'P' },
		{ "platform", required_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static struct demo runs[IMS_PROFILE_NR];
	const char *platform = NULL;
	int opt, nr = 0, only = -1;
	bool json = false;

	while ((opt = getopt_long(argc, argv, "P:p:jh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'P':
			if (cli_parse_profile(optarg, &only))
				return 2;
			break;
		case 'p':
			platform = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			puts("usage: iommusim demo [--profile P] [--platform NAME|FILE] [--json]");
			return 0;
		default:
			return cli_usage_error("demo: bad option");
		}
	}
	printf("iommusim demo: one VFIO container, the platform's groups added one by one\n");
	for (int p = 0; p < IMS_PROFILE_NR; p++) {
		if (only >= 0 && p != only)
			continue;
		runs[nr].profile = (enum ims_profile)p;
		if (run_profile(&runs[nr], platform, json))
			return 1;
		nr++;
	}
	print_summary(runs, nr);
	return 0;
}

const struct cli_command cli_demo = {
	.name = "demo",
	.summary = "tell the attach contract's story on a platform, in each kernel profile",
	.run = demo_run,
};
