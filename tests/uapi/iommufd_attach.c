// SPDX-License-Identifier: MIT
/*
 * The attach contract through iommufd, with the mock platform's devices
 * bound as the VFIO cdev binds them (kernel-semantics 5.2-5.4, 7 items
 * 19-22 and 25), in every profile:
 *
 *   - devices behind one IOMMU instance share the IOAS's automatic HWPT;
 *     behind another instance the domain is incompatible: the search skips
 *     it (upstream EINVAL, seed EMEDIUMTYPE) and allocates a new HWPT;
 *     legacy has no dedicated errno, so the driver's ENXIO stops the search
 *     (our documented choice, docs/errno.md);
 *   - a hard error (ENOSPC from the fail-attach device) stops the search at
 *     once, with no new HWPT;
 *   - manual HWPTs are never chosen automatically; an explicit one returns
 *     the incompatibility to the caller;
 *   - one HWPT per iommu_group; the group attaches once, for its first
 *     device;
 *   - every device's reserved regions are enforced in the IOAS (EADDRINUSE);
 *   - coherency: a non-coherent HWPT serves a coherent device, not the
 *     other way round;
 *   - bind refuses incoherent IOMMUs (EINVAL), unisolated MSIs (EPERM),
 *     groups with a require-direct device (EINVAL) or a kernel driver (EPERM).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "harness/harness.h"
#include "iommufd_bed.h"

static const uint32_t rw = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE;

FIXTURE(attach)
{
	int fd;
	uint32_t ioas;
	uint8_t *buf;
	struct ims_iommufd_device *idev[8];
	unsigned int nr;
};

FIXTURE_VARIANT(attach)
{
	const char *profile;
	int incompatible;   /* what a foreign-instance attach answers */
	bool soft;          /* and whether the search goes on */
	int snoop;          /* what a coherent domain answers a non-snooping IOMMU */
};

FIXTURE_VARIANT_ADD(attach, upstream) {
	.profile = "upstream", .incompatible = EINVAL, .soft = true, .snoop = EINVAL,
};
FIXTURE_VARIANT_ADD(attach, seed) {
	.profile = "seed", .incompatible = EMEDIUMTYPE, .soft = true, .snoop = EMEDIUMTYPE,
};
FIXTURE_VARIANT_ADD(attach, legacy) {
	.profile = "legacy", .incompatible = ENXIO, .soft = false, .snoop = EOPNOTSUPP,
};

FIXTURE_SETUP(attach)
{
	b_up(variant->profile, false);
	self->fd = b_iommufd();
	self->buf = b_buffer(SZ_1M);
	ASSERT_EQ(0, b_ioas_alloc(self->fd, &self->ioas));
}

FIXTURE_TEARDOWN(attach)
{
	for (unsigned int i = 0; i < self->nr; i++)
		b_unbind(self->idev[i]);
	b_close(self->fd);
	b_down();
}

/* Bind @name; the fixture unbinds it at the end. */
static struct ims_iommufd_device *bind_id(FIXTURE_DATA(attach) *self, const char *name,
					  uint32_t *id)
{
	struct ims_iommufd_device *idev = b_bind(self->fd, name, id);

	ASSERT_TRUE(idev != NULL);
	self->idev[self->nr++] = idev;
	return idev;
}

static struct ims_iommufd_device *bind(FIXTURE_DATA(attach) *self, const char *name)
{
	uint32_t id;

	return bind_id(self, name, &id);
}

static int attach_ioas(struct ims_iommufd_device *idev, uint32_t ioas, uint32_t *hwpt)
{
	*hwpt = ioas;
	return b_attach(idev, hwpt);
}

/* 7.19: one instance shares; another is skipped (or stops the search in legacy). */
TEST_F(attach, auto_domain_per_instance)
{
	struct ims_iommufd_device *a = bind(self, "0000:01:00.0");
	struct ims_iommufd_device *b = bind(self, "20000000.dma");
	struct ims_iommufd_device *c = bind(self, "0000:11:00.0");
	uint32_t ha, hb, hc;

	ASSERT_EQ(0, attach_ioas(a, self->ioas, &ha));
	ASSERT_EQ(0, attach_ioas(b, self->ioas, &hb));
	EXPECT_EQ(ha, hb);
	EXPECT_EQ(b_domain_of("0000:01:00.0"), b_domain_of("20000000.dma"));
	EXPECT_EQ(1, b_nr_unmanaged());
	if (variant->soft) {
		ASSERT_EQ(0, attach_ioas(c, self->ioas, &hc));
		EXPECT_NE(ha, hc);
		EXPECT_EQ(2, b_nr_unmanaged());
		EXPECT_NE(b_domain_of("0000:01:00.0"), b_domain_of("0000:11:00.0"));
		b_detach(c);
	} else {
		EXPECT_ERRNO(variant->incompatible, attach_ioas(c, self->ioas, &hc));
		EXPECT_EQ(1, b_nr_unmanaged());
	}
	b_detach(b);
	b_detach(a);
	/* The automatic HWPTs went with their last devices. */
	EXPECT_EQ(0, b_nr_unmanaged());
	EXPECT_ERRNO(ENOENT, b_destroy(self->fd, ha));
}

/* A hard errno ends the search: no new HWPT, the errno comes back. */
TEST_F(attach, hard_error_stops)
{
	struct ims_iommufd_device *a = bind(self, "20000000.dma");
	struct ims_iommufd_device *bad = bind(self, "0000:10:00.0");
	uint32_t ha, hb;

	/* No HWPT yet: the new one's attach fails; nothing is left. */
	EXPECT_ERRNO(ENOSPC, attach_ioas(bad, self->ioas, &hb));
	EXPECT_EQ(0, b_nr_unmanaged());
	ASSERT_EQ(0, attach_ioas(a, self->ioas, &ha));
	EXPECT_ERRNO(ENOSPC, attach_ioas(bad, self->ioas, &hb));
	EXPECT_EQ(1, b_nr_unmanaged());
	/* Explicitly too. */
	hb = ha;
	EXPECT_ERRNO(ENOSPC, b_attach(bad, &hb));
	b_detach(a);
}

/* 7.19: manual HWPTs are never picked; 7.20: explicit ones return the errno. */
TEST_F(attach, manual_hwpt)
{
	uint32_t ida, manual, hb, hc;
	struct ims_iommufd_device *a = bind_id(self, "0000:01:00.0", &ida);
	struct ims_iommufd_device *b = bind(self, "20000000.dma");
	struct ims_iommufd_device *c = bind(self, "0000:11:00.0");

	/* A device without hardware information: type NONE, no data. */
	struct iommu_hw_info info = { .size = sizeof(info), .dev_id = ida, .data_len = 8 };
	uint64_t data = ~0ull;

	info.data_uptr = (uintptr_t)&data;
	ASSERT_EQ(0, b_ioctl(self->fd, IOMMU_GET_HW_INFO, &info));
	EXPECT_EQ(IOMMU_HW_INFO_TYPE_NONE, info.out_data_type);
	EXPECT_EQ(0, info.data_len);
	EXPECT_EQ(0, data);
	EXPECT_EQ(IOMMU_HW_CAP_DIRTY_TRACKING, info.out_capabilities);
	ASSERT_EQ(0, b_hwpt_alloc(self->fd, ida, self->ioas, 0, &manual));
	EXPECT_EQ(1, b_nr_unmanaged());
	ASSERT_EQ(0, attach_ioas(b, self->ioas, &hb));
	EXPECT_NE(manual, hb);
	EXPECT_EQ(2, b_nr_unmanaged());
	/* Named, the manual HWPT is used; a foreign one answers the caller. */
	hb = manual;
	ASSERT_EQ(0, b_attach(a, &hb));
	hc = manual;
	EXPECT_ERRNO(variant->incompatible, b_attach(c, &hc));
	EXPECT_ERRNO(EBUSY, b_destroy(self->fd, manual));
	b_detach(a);
	EXPECT_EQ(0, b_destroy(self->fd, manual));
	b_detach(b);
}

/* 7.21: one HWPT per group; the group attaches for its first device only. */
TEST_F(attach, multi_device_group)
{
	uint32_t h0, h1, other, dom, id0;
	struct ims_iommufd_device *f0 = bind_id(self, "0000:01:00.0", &id0);
	struct ims_iommufd_device *f1 = bind(self, "0000:01:00.1");

	ASSERT_EQ(0, attach_ioas(f0, self->ioas, &h0));
	dom = b_domain_of("0000:01:00.0");
	ASSERT_EQ(0, attach_ioas(f1, self->ioas, &h1));
	EXPECT_EQ(h0, h1);
	EXPECT_ERRNO(EBUSY, attach_ioas(f1, self->ioas, &h1));
	/* Another HWPT for the second function: EINVAL, the group stays. */
	ASSERT_EQ(0, b_hwpt_alloc(self->fd, id0, self->ioas, 0, &other));
	h1 = other;
	b_detach(f1);
	EXPECT_ERRNO(EINVAL, b_attach(f1, &h1));
	EXPECT_EQ(dom, b_domain_of("0000:01:00.1"));
	/* The first function leaving does not detach the group while another stays. */
	h1 = h0;
	ASSERT_EQ(0, b_attach(f1, &h1));
	b_detach(f0);
	EXPECT_EQ(dom, b_domain_of("0000:01:00.0"));
	/* Replace moves the whole group. */
	h1 = other;
	ASSERT_EQ(0, b_replace(f1, &h1));
	EXPECT_NE(dom, b_domain_of("0000:01:00.0"));
	b_detach(f1);
	EXPECT_EQ(0, b_destroy(self->fd, other));
}

/* 7.22: reserved regions of attached devices against mappings. */
TEST_F(attach, reserved_regions)
{
	struct ims_iommufd_device *a = bind(self, "0000:01:00.0");
	uint32_t ha;

	ASSERT_EQ(0, b_map_fixed(self->fd, self->ioas, self->buf, SZ_64K, MSI_WINDOW + SZ_64K));
	EXPECT_ERRNO(EADDRINUSE, attach_ioas(a, self->ioas, &ha));
	EXPECT_EQ(0, b_nr_unmanaged());
	ASSERT_EQ(0, b_unmap(self->fd, self->ioas, 0, UINT64_MAX, NULL));
	ASSERT_EQ(0, attach_ioas(a, self->ioas, &ha));
	/* Now the window is reserved: EINVAL for fixed maps, allocation avoids it. */
	EXPECT_ERRNO(EINVAL, b_map_fixed(self->fd, self->ioas, self->buf, SZ_4K, MSI_WINDOW));
	struct iommu_iova_range r[4];
	uint32_t num = 4;

	ASSERT_EQ(0, b_iova_ranges(self->fd, self->ioas, r, &num, NULL));
	ASSERT_EQ(2, num);
	EXPECT_EQ(MSI_WINDOW - 1, r[0].last);
	EXPECT_EQ(MSI_WINDOW + SZ_1M, r[1].start);
	/* An allowed range over it is refused. */
	struct iommu_iova_range allow = { .start = MSI_WINDOW, .last = MSI_WINDOW + SZ_4K };

	EXPECT_ERRNO(EADDRINUSE, b_allow(self->fd, self->ioas, &allow, 1));
	b_detach(a);
	EXPECT_EQ(0, b_map_fixed(self->fd, self->ioas, self->buf, SZ_4K, MSI_WINDOW));
	/* And an allowed range over it stops a later attach. */
	ASSERT_EQ(0, b_unmap(self->fd, self->ioas, 0, UINT64_MAX, NULL));
	ASSERT_EQ(0, b_allow(self->fd, self->ioas, &allow, 1));
	EXPECT_ERRNO(EADDRINUSE, attach_ioas(a, self->ioas, &ha));
}

/* The domain follows the IOAS's mappings, both ways. */
TEST_F(attach, mappings_follow)
{
	struct ims_iommufd_device *a = bind(self, "20000000.dma");
	uint32_t ha;
	uint64_t iova = 0;

	ASSERT_EQ(0, b_map_fixed(self->fd, self->ioas, self->buf, SZ_64K, SZ_1M));
	EXPECT_EQ(0, b_pins_at(self->buf));
	ASSERT_EQ(0, attach_ioas(a, self->ioas, &ha));
	EXPECT_EQ(1, b_pins_at(self->buf));
	ASSERT_EQ(0, b_map(self->fd, self->ioas, self->buf + SZ_64K, SZ_64K, &iova, rw));
	EXPECT_EQ(1, b_pins_at(self->buf + SZ_64K));
	b_detach(a);
	EXPECT_EQ(0, b_pins_at(self->buf));
	EXPECT_EQ(0, b_pins_at(self->buf + SZ_64K));
}

/* Coherency: a coherent HWPT refuses a non-snooping IOMMU, not the other way round. */
TEST_F(attach, coherency)
{
	struct ims_iommufd_device *nosnoop = bind(self, "0000:20:00.0");
	struct ims_iommufd_device *snoop = bind(self, "0000:21:00.0");
	uint32_t h1, h2, ioas2;

	ASSERT_EQ(0, attach_ioas(nosnoop, self->ioas, &h1));
	ASSERT_EQ(0, attach_ioas(snoop, self->ioas, &h2));
	EXPECT_EQ(h1, h2);
	b_detach(snoop);
	b_detach(nosnoop);
	ASSERT_EQ(0, b_ioas_alloc(self->fd, &ioas2));
	ASSERT_EQ(0, attach_ioas(snoop, ioas2, &h2));
	if (variant->soft) {
		ASSERT_EQ(0, attach_ioas(nosnoop, ioas2, &h1));
		EXPECT_NE(h1, h2);
		b_detach(nosnoop);
	} else {
		EXPECT_ERRNO(variant->snoop, attach_ioas(nosnoop, ioas2, &h1));
	}
	b_detach(snoop);
}

/* Bind's refusals: the group's DMA cannot be claimed. */
TEST_F(attach, bind_refusals)
{
	uint32_t id;

	EXPECT_TRUE(b_bind(self->fd, "0000:03:00.0", &id) == NULL);
	EXPECT_EQ(EINVAL, errno);
	EXPECT_TRUE(b_bind(self->fd, "0000:04:00.0", &id) == NULL);
	EXPECT_EQ(EPERM, errno);
	/* A group is owned by one context at a time. */
	int fd2 = b_iommufd();

	bind(self, "20000000.dma");
	EXPECT_TRUE(b_bind(fd2, "20000000.dma", &id) == NULL);
	EXPECT_EQ(EPERM, errno);
	b_close(fd2);
}

/* A device destroyed while attached is EBUSY; unbinding needs detach first. */
TEST_F(attach, device_object_lifetime)
{
	uint32_t ha, id;
	struct ims_iommufd_device *a = bind_id(self, "20000000.dma", &id);

	ASSERT_EQ(0, attach_ioas(a, self->ioas, &ha));
	EXPECT_ERRNO(EBUSY, b_destroy(self->fd, id));
	EXPECT_ERRNO(EBUSY, b_destroy(self->fd, ha));
	EXPECT_ERRNO(EBUSY, b_destroy(self->fd, self->ioas));
	b_detach(a);
	EXPECT_ERRNO(EBUSY, b_destroy(self->fd, id)); /* still bound */
	EXPECT_EQ(0, b_destroy(self->fd, self->ioas));
}

FIXTURE(bind_rules)
{
	char path[64];
};

/* 7.25 needs IOMMUs the built-in platform lacks. */
FIXTURE_SETUP(bind_rules)
{
	ASSERT_EQ(0, b_write_refusals_platform(self->path, sizeof(self->path)));
}

FIXTURE_TEARDOWN(bind_rules)
{
	unlink(self->path);
}

/* 7.25: EINVAL without cache coherency, EPERM without MSI isolation unless allowed. */
TEST_F(bind_rules, coherency_and_msi)
{
	struct ims_host_options opts = { .allow_unsafe_interrupts = true };
	struct ims_iommufd_device *idev;
	uint32_t id;
	int fd;

	b_up_platform(self->path, "upstream", false);
	fd = b_iommufd();
	EXPECT_TRUE(b_bind(fd, "20000000.dma", &id) == NULL);
	EXPECT_EQ(EINVAL, errno);
	EXPECT_TRUE(b_bind(fd, "21000000.dma", &id) == NULL);
	EXPECT_EQ(EPERM, errno);
	b_close(fd);
	b_down();
	/* The module parameter lets the unisolated one through. */
	b_up_with(self->path, &opts);
	fd = b_iommufd();
	idev = b_bind(fd, "21000000.dma", &id);
	ASSERT_TRUE(idev != NULL);
	b_unbind(idev);
	b_close(fd);
	b_down();
}

int main(int argc, char **argv)
{
	return ims_harness_main(argc, argv);
}
