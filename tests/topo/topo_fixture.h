/* SPDX-License-Identifier: MIT */
/*
 * Helpers for the platform-loader suites: write device-tree source to a
 * temporary .dts and load it (through dtc, as a user's file is), build a
 * platform into a fresh core, and check that a core holds nothing.
 */
#ifndef IMS_TEST_TOPO_FIXTURE_H
#define IMS_TEST_TOPO_FIXTURE_H

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/core.h"
#include "topo/topo.h"

/* The usual start of a test platform: root cells and one mock IOMMU. */
#define DTS_HEAD                                                         \
	"/dts-v1/;\n/ {\n\t#address-cells = <2>;\n\t#size-cells = <2>;\n" \
	"\tsmmu: iommu@1000 { compatible = \"iommusim,mock\"; "          \
	"reg = <0 0x1000 0 0x1000>; #iommu-cells = <1>; };\n"

/* A PCIe host bridge whose iommu-map sends RIDs 0..0xffff to &smmu. */
#define DTS_PCIE_OPEN                                                    \
	"\tpcie@40000000 { device_type = \"pci\"; compatible = \"pci-host-ecam-generic\";\n" \
	"\t\treg = <0 0x40000000 0 0x1000000>; #address-cells = <3>; #size-cells = <2>;\n" \
	"\t\tranges = <0x02000000 0 0x50000000 0 0x50000000 0 0x1000000>;\n"

#define DTS_IDS "vendor-id = <0x1af4>; device-id = <0x1000>;"

struct tfile {
	char path[64];
};

/* Write @text to a new temporary file ending in @ext; the test unlinks it. */
static inline void tfile_write(struct tfile *f, const char *ext, const void *text, size_t len)
{
	int fd;

	snprintf(f->path, sizeof(f->path), "/tmp/iommusim-topo-XXXXXX%s", ext);
	fd = mkstemps(f->path, (int)strlen(ext));
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
}

/* Load device-tree source; *path (may be NULL) gets the file name used. */
static inline int load_dts(const char *text, struct ims_platform **out, char *err,
			   size_t errlen, char *path, size_t pathlen)
{
	struct tfile f;
	int ret;

	tfile_write(&f, ".dts", text, strlen(text));
	ret = ims_platform_load(f.path, out, err, errlen);
	if (path)
		snprintf(path, pathlen, "%s", f.path);
	unlink(f.path);
	return ret;
}

static inline struct ims_core *new_core(enum ims_profile profile)
{
	struct ims_core_config cfg = { .profile = profile };
	struct ims_core *core;

	assert_int_equal(ims_core_create(&cfg, &core), 0);
	return core;
}

/* No instance, device, group or domain (static ones included). */
static inline void assert_core_holds_nothing(struct ims_core *core)
{
	assert_true(ims_list_empty(&core->iommus));
	assert_true(ims_list_empty(&core->devices));
	assert_true(ims_list_empty(&core->static_domains));
	assert_int_equal(core->groups.count, 0);
	assert_int_equal(core->domains.count, 0);
	assert_int_equal(core->nr_iommus, 0);
}

/* As ims_core_create() left it. */
static inline void assert_core_empty(struct ims_core *core)
{
	assert_core_holds_nothing(core);
	assert_false(core->booted);
}

static inline void assert_contains(const char *haystack, const char *needle)
{
	if (!strstr(haystack, needle))
		fail_msg("'%s' not in '%s'", needle, haystack);
}

#endif
