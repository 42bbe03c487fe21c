// SPDX-License-Identifier: MIT
/*
 * The host's sysfs, debugfs and /dev views (see sysfs.h and the "Paths"
 * section of include/iommusim/host.h).
 *
 * What Linux shows, and what we write (formats are the kernel's):
 *
 *   /sys/kernel/iommu_groups/N/   type ("DMA", "DMA-FQ", "identity",
 *                                 "blocked", "unmanaged"), reserved_regions
 *                                 ("0x%016llx 0x%016llx %s" start, last,
 *                                 type), devices/<dev> -> the device
 *   /sys/devices/pciSSSS:BB/...   PCI functions nested under their bridges:
 *                                 vendor, device, class, config, resource,
 *                                 iommu_group, iommu, driver, ...
 *   /sys/devices/platform/<dev>   platform devices
 *   /sys/bus/{pci,platform}/      devices/<dev> and drivers/<drv>/<dev>
 *                                 links to the above
 *   /sys/devices/virtual/iommu/<name>, /sys/class/iommu/<name>
 *                                 IOMMU class devices: devices/ links, and
 *                                 the driver's register attributes
 *                                 (intel-iommu/cap ...) when its model
 *                                 provides them (ims_driver_model.sysfs_attr)
 *   /sys/class/vfio/N, /sys/devices/virtual/{vfio/N,misc/vfio}/dev
 *   /sys/module/vfio*             module parameters of this host
 *   /sys/kernel/debug/            iommusim/{state,reset} (served by the
 *                                 shim), failslab/, fail_page_alloc/,
 *                                 fail_iommufd/ (fault-injection knobs that
 *                                 accept writes; fail-nth is what drives
 *                                 iommusim's injection)
 *   /dev/vfio/                    the device nodes: placeholders in the tree
 *                                 so that the folder lists, and a node table
 *                                 for stat and open
 *
 * Glossary: a "virtual path" is what the program names ("/sys/bus/pci");
 * the "real path" is where it lives, root + virtual path.  An "owned root"
 * is a folder whose whole subtree belongs to the host: every virtual path
 * under it is redirected, whether the file exists in the tree or not.
 * Symbolic links in the tree are relative, so a program following them, or
 * walking "..", stays inside the tree.
 *
 * Locking: build_lock serialises building the tree; lock protects root,
 * the node table and the owned roots (never held while writing files).
 * The folder belongs to the process that created it (its pid is in the
 * owner mark): a forked child that uses its copy of the host builds a
 * folder of its own, and leaves the parent's alone; folders whose owner is
 * gone (killed, or ended with _exit) are swept by the next host.
 */
#include "sysfs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <signal.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "drivers/registry.h"
#include "host.h"
#include "util/alloc.h"
#include "util/err.h"

struct sysfs_node {
	char *path;          /* virtual path, "/dev/vfio/3" */
	mode_t mode;         /* S_IFCHR | permissions */
	dev_t rdev;
};

struct ims_sysfs {
	struct ims_host *host;
	struct ims_mutex build_lock;  /* building the tree */
	pthread_t builder;            /* thread running the parts (build_lock) */
	bool building;
	bool ready;                   /* the tree is complete (read without lock) */
	struct ims_mutex lock;        /* protects everything below */
	char *root;                   /* the folder, NULL before the first use */
	pid_t owner;                  /* the process that created it */
	struct sysfs_node *nodes;
	size_t nr_nodes;
	char **owned;                 /* owned roots, virtual paths */
	size_t nr_owned;
	struct timespec birth;        /* times of the device nodes */
	uint64_t mem32, mem64, io;    /* next free BAR addresses */
};

#define PATH_LEN PATH_MAX

static int vfmt(char *buf, size_t len, const char *fmt, va_list ap)
{
	int n = vsnprintf(buf, len, fmt, ap);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static int __attribute__((format(printf, 3, 4))) fmt(char *buf, size_t len, const char *f, ...)
{
	va_list ap;
	int ret;

	va_start(ap, f);
	ret = vfmt(buf, len, f, ap);
	va_end(ap);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Writing the tree                                                    */

static int real_path(struct ims_sysfs *s, const char *vpath, char *buf, size_t len)
{
	return fmt(buf, len, "%s%s", s->root, vpath);
}

/* mkdir -p of every folder above @real (a real path inside the root). */
static int make_parents(struct ims_sysfs *s, char *real)
{
	size_t skip = strlen(s->root);

	for (char *p = real + skip + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		if (mkdir(real, 0755) && errno != EEXIST) {
			int ret = -errno;

			*p = '/';
			return ret;
		}
		*p = '/';
	}
	return 0;
}

static int write_all(int fd, const char *text, size_t len)
{
	while (len) {
		ssize_t n = write(fd, text, len);

		if (n < 0)
			return errno == EINTR ? 0 : -errno;
		text += n;
		len -= (size_t)n;
	}
	return 0;
}

/* open(2) for writing, making the parent folders when they are missing. */
static int create_file(struct ims_sysfs *s, char *real, mode_t mode)
{
	const int flags = O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW;
	int fd = open(real, flags, mode), ret;

	if (fd >= 0 || errno != ENOENT)
		return fd >= 0 ? fd : -errno;
	ret = make_parents(s, real);
	if (ret)
		return ret;
	fd = open(real, flags, mode);
	return fd >= 0 ? fd : -errno;
}

static int put_bytes(struct ims_sysfs *s, const char *vpath, mode_t mode, const void *data,
		     size_t len)
{
	char real[PATH_LEN];
	int fd, ret = real_path(s, vpath, real, sizeof(real));

	if (ret)
		return ret;
	fd = create_file(s, real, mode);
	if (fd < 0)
		return fd;
	ret = write_all(fd, data, len);
	if (!ret && fchmod(fd, mode)) /* whatever the umask */
		ret = -errno;
	close(fd);
	return ret;
}

static int vput(struct ims_sysfs *s, const char *vpath, mode_t mode, const char *f, va_list ap)
{
	char text[4096];
	int ret = vfmt(text, sizeof(text), f, ap);

	return ret ? -EFBIG : put_bytes(s, vpath, mode, text, strlen(text));
}

static int __attribute__((format(printf, 4, 5))) put(struct ims_sysfs *s, const char *vpath,
						     mode_t mode, const char *f, ...)
{
	va_list ap;
	int ret;

	va_start(ap, f);
	ret = vput(s, vpath, mode, f, ap);
	va_end(ap);
	return ret;
}

static int put_dir(struct ims_sysfs *s, const char *vpath)
{
	char real[PATH_LEN];
	int ret = fmt(real, sizeof(real), "%s%s/", s->root, vpath);

	return ret ? ret : make_parents(s, real);
}

/* Next component of @p: its length, *@p advanced past leading slashes. */
static size_t component(const char **p)
{
	while (**p == '/')
		(*p)++;
	return strcspn(*p, "/");
}

/*
 * The relative link from folder @from to @to (both virtual, absolute), as
 * sysfs writes them: "../../../kernel/iommu_groups/3".
 */
static int relative(const char *from, const char *to, char *buf, size_t len)
{
	const char *f = from, *t = to;
	size_t used = 0;

	for (;;) {
		const char *f0 = f, *t0 = t;
		size_t fl = component(&f), tl = component(&t);

		if (!fl || fl != tl || strncmp(f, t, fl)) {
			f = f0;
			t = t0;
			break;
		}
		f += fl;
		t += tl;
	}
	for (size_t n; (n = component(&f)); f += n) {
		if (used + 3 >= len)
			return -ENAMETOOLONG;
		memcpy(buf + used, "../", 3);
		used += 3;
	}
	while (*t == '/')
		t++;
	return fmt(buf + used, len - used, "%s", t);
}

static int put_link(struct ims_sysfs *s, const char *vpath, const char *vtarget)
{
	char real[PATH_LEN], from[PATH_LEN], rel[PATH_LEN];
	char *slash;
	int ret = real_path(s, vpath, real, sizeof(real));

	if (!ret)
		ret = fmt(from, sizeof(from), "%s", vpath);
	if (ret)
		return ret;
	slash = strrchr(from, '/');
	*slash = '\0';
	ret = relative(from, vtarget, rel, sizeof(rel));
	if (ret)
		return ret;
	if (!symlink(rel, real) || errno == EEXIST)
		return 0;
	if (errno != ENOENT)
		return -errno;
	ret = make_parents(s, real);
	if (!ret && symlink(rel, real) && errno != EEXIST)
		ret = -errno;
	return ret;
}

/* ------------------------------------------------------------------ */
/* The node table and the owned roots                                  */

static int __own(struct ims_sysfs *s, const char *dir)
{
	char **owned;
	char *copy;

	ims_assert_held(&s->lock);
	for (size_t i = 0; i < s->nr_owned; i++)
		if (!strcmp(s->owned[i], dir))
			return 0;
	copy = ims_strdup(dir);
	owned = copy ? ims_realloc_array(s->owned, s->nr_owned + 1, sizeof(*owned)) : NULL;
	if (!owned) {
		ims_free(copy);
		return -ENOMEM;
	}
	owned[s->nr_owned++] = copy;
	s->owned = owned;
	return 0;
}

static int own(struct ims_sysfs *s, const char *dir)
{
	int ret;

	ims_mutex_lock(&s->lock);
	ret = __own(s, dir);
	ims_mutex_unlock(&s->lock);
	if (!ret)
		ret = put_dir(s, dir);
	return ret;
}

static struct sysfs_node *__find_node(struct ims_sysfs *s, const char *vpath)
{
	ims_assert_held(&s->lock);
	for (size_t i = 0; i < s->nr_nodes; i++)
		if (!strcmp(s->nodes[i].path, vpath))
			return &s->nodes[i];
	return NULL;
}

static int add_node(struct ims_sysfs *s, const char *vpath, mode_t mode, dev_t rdev)
{
	struct sysfs_node *nodes, *n;
	char *copy = ims_strdup(vpath);
	int ret = 0;

	if (!copy)
		return -ENOMEM;
	ims_mutex_lock(&s->lock);
	n = __find_node(s, vpath);
	if (!n) {
		nodes = ims_realloc_array(s->nodes, s->nr_nodes + 1, sizeof(*nodes));
		if (nodes) {
			s->nodes = nodes;
			n = &nodes[s->nr_nodes++];
			n->path = copy;
			copy = NULL;
		} else {
			ret = -ENOMEM;
		}
	}
	if (n) {
		n->mode = S_IFCHR | (mode & 07777);
		n->rdev = rdev;
	}
	ims_mutex_unlock(&s->lock);
	ims_free(copy);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Paths of devices and instances                                      */

static const char *iommu_dir(const char *name, char *buf, size_t len)
{
	return fmt(buf, len, "/sys/devices/virtual/iommu/%s", name) ? NULL : buf;
}

/* Where Linux puts @dev under /sys/devices. */
static int device_dir(const struct ims_device *dev, char *buf, size_t len)
{
	const struct ims_device *chain[64];
	size_t n = 0, used;
	int ret;

	if (dev->bus != IMS_BUS_PCI)
		return fmt(buf, len, "/sys/devices/platform/%s", dev->name);
	for (const struct ims_device *d = dev; d && n < IMS_ARRAY_SIZE(chain); d = d->pci.upstream)
		chain[n++] = d;
	ret = fmt(buf, len, "/sys/devices/pci%04x:%02x", chain[n - 1]->pci.segment,
		  chain[n - 1]->pci.bus);
	while (!ret && n--) {
		used = strlen(buf);
		ret = fmt(buf + used, len - used, "/%s", chain[n]->name);
	}
	return ret;
}

static const struct ims_topo_device *facts_of(struct ims_sysfs *s, const struct ims_device *dev)
{
	return s->host->topo ? ims_topo_device_of(s->host->topo, dev) : NULL;
}

/* The bound driver's name, or NULL when none is. */
static const char *driver_of(struct ims_sysfs *s, struct ims_device *dev)
{
	const struct ims_topo_device *d = facts_of(s, dev);

	if (d)
		return d->driver;
	if (s->host->params.vfio_bound && s->host->params.vfio_bound(s->host, dev, s->host->params.arg))
		return dev->bus == IMS_BUS_PCI ? "vfio-pci" : "vfio-platform";
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Part: IOMMU class devices                                           */

/* The driver's own attributes (ims_driver_model.sysfs_attr), one by one. */
static int put_driver_attrs(struct ims_sysfs *s, const struct ims_driver_model *model,
			    struct ims_iommu *iommu, const char *dir)
{
	char path[PATH_LEN], value[256];
	const char *name;
	int ret = 0;

	for (unsigned int i = 0; !ret && model->sysfs_attr(iommu, i, &name, value, sizeof(value)); i++) {
		ret = fmt(path, sizeof(path), "%s/%s", dir, name);
		if (!ret)
			ret = put(s, path, 0444, "%s", value);
	}
	return ret;
}

static int part_iommu(struct ims_sysfs *s, struct ims_iommu *iommu)
{
	const struct ims_driver_model *model = ims_driver_model_of(iommu);
	char dir[PATH_LEN], path[PATH_LEN];
	int ret;

	if (!iommu_dir(iommu->name, dir, sizeof(dir)))
		return -ENAMETOOLONG;
	ret = put_dir(s, dir);
	if (!ret)
		ret = fmt(path, sizeof(path), "%s/devices", dir);
	if (!ret)
		ret = put_dir(s, path);
	if (!ret)
		ret = fmt(path, sizeof(path), "%s/subsystem", dir);
	if (!ret)
		ret = put_link(s, path, "/sys/class/iommu");
	if (!ret)
		ret = fmt(path, sizeof(path), "/sys/class/iommu/%s", iommu->name);
	if (!ret)
		ret = put_link(s, path, dir);
	if (!ret && model && model->sysfs_attr)
		ret = put_driver_attrs(s, model, iommu, dir);
	return ret;
}

static int part_iommus(struct ims_sysfs *s)
{
	struct ims_iommu *iommu;
	int ret = own(s, "/sys/class/iommu");

	if (!ret)
		ret = own(s, "/sys/devices/virtual/iommu");
	ims_list_for_each_entry(iommu, &s->host->core->iommus, node)
		if (!ret)
			ret = part_iommu(s, iommu);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Part: iommu_groups                                                  */

/* The "type" attribute: the default domain's type as Linux names it. */
static const char *group_type(const struct ims_group *group)
{
	if (!group->default_domain)
		return "unknown";
	switch (group->default_domain->type) {
	case IMS_DOMAIN_BLOCKED: return "blocked";
	case IMS_DOMAIN_IDENTITY: return "identity";
	case IMS_DOMAIN_UNMANAGED: return "unmanaged";
	case IMS_DOMAIN_DMA: return "DMA";
	case IMS_DOMAIN_DMA_FQ: return "DMA-FQ";
	default: return "unknown";
	}
}

static int put_resv(struct ims_sysfs *s, const char *vpath, struct ims_group *group)
{
	struct ims_resv_list list;
	char text[4096];
	size_t used = 0;
	int ret;

	ims_resv_list_init(&list);
	ret = ims_group_get_resv_regions(group, &list);
	text[0] = '\0';
	for (size_t i = 0; !ret && i < list.nr; i++) {
		const struct ims_resv_region *r = &list.regions[i];

		ret = fmt(text + used, sizeof(text) - used, "0x%016llx 0x%016llx %s\n",
			  (unsigned long long)r->start,
			  (unsigned long long)(r->start + r->length - 1),
			  ims_resv_type_name(r->type)); /* Linux's names */
		used += strlen(text + used);
	}
	ims_resv_list_free(&list);
	return ret ? ret : put(s, vpath, 0444, "%s", text);
}

static int part_group(struct ims_sysfs *s, struct ims_group *group)
{
	char path[PATH_LEN];
	const char *type;
	int ret;

	ims_mutex_lock(&group->mutex);
	type = group_type(group);
	ims_mutex_unlock(&group->mutex);
	ret = fmt(path, sizeof(path), "/sys/kernel/iommu_groups/%u/type", group->id);
	if (!ret)
		ret = put(s, path, 0644, "%s\n", type);
	if (!ret)
		ret = fmt(path, sizeof(path), "/sys/kernel/iommu_groups/%u/reserved_regions",
			  group->id);
	if (!ret)
		ret = put_resv(s, path, group);
	if (!ret)
		ret = fmt(path, sizeof(path), "/sys/kernel/iommu_groups/%u/devices", group->id);
	return ret ? ret : put_dir(s, path);
}

static int part_groups(struct ims_sysfs *s)
{
	struct ims_group *group;
	uint32_t id;
	int ret = own(s, "/sys/kernel/iommu_groups");

	ims_idtable_for_each(&s->host->core->groups, id, group)
		if (!ret)
			ret = part_group(s, group);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Part: devices                                                       */

/* A BAR's address: each kind of space is handed out in order, aligned. */
static uint64_t bar_address(struct ims_sysfs *s, const struct ims_topo_bar *bar)
{
	uint64_t *next = bar->flags & IMS_TOPO_BAR_IO ? &s->io :
			 bar->flags & IMS_TOPO_BAR_MEM64 ? &s->mem64 : &s->mem32;
	uint64_t addr = (*next + bar->size - 1) & ~(bar->size - 1);

	*next = addr + bar->size;
	return addr;
}

/* Linux's resource flags for a BAR (decode_bar + IORESOURCE_SIZEALIGN). */
static uint64_t bar_resource_flags(const struct ims_topo_bar *bar)
{
	if (bar->flags & IMS_TOPO_BAR_IO)
		return 0x40101;
	return 0x40200 | (bar->flags & IMS_TOPO_BAR_MEM64 ? 0x100004 : 0) |
	       (bar->flags & IMS_TOPO_BAR_PREFETCH ? 0x2008 : 0);
}

/* The low bits of a BAR register. */
static uint32_t bar_register_bits(const struct ims_topo_bar *bar)
{
	if (bar->flags & IMS_TOPO_BAR_IO)
		return 0x1;
	return (bar->flags & IMS_TOPO_BAR_MEM64 ? 0x4 : 0) |
	       (bar->flags & IMS_TOPO_BAR_PREFETCH ? 0x8 : 0);
}

static void le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void le32(uint8_t *p, uint32_t v)
{
	le16(p, (uint16_t)v);
	le16(p + 2, (uint16_t)(v >> 16));
}

struct pci_view {
	struct ims_device *dev;
	const struct ims_topo_pci *t;       /* NULL for a hand-built host */
	const struct ims_topo_device *facts;
	uint64_t bar_addr[IMS_TOPO_MAX_BARS];
	char dir[PATH_LEN];
};

/* The first 256 bytes of configuration space: the standard header. */
static void pci_config(const struct pci_view *v, uint8_t cfg[256])
{
	const struct ims_pci_info *p = &v->dev->pci;

	memset(cfg, 0, 256);
	le16(cfg + 0x00, p->vendor);
	le16(cfg + 0x02, p->device);
	cfg[0x08] = v->t ? v->t->revision : 0;
	cfg[0x09] = (uint8_t)p->class_code;
	le16(cfg + 0x0a, (uint16_t)(p->class_code >> 8));
	cfg[0x0e] = (p->bridge ? 0x01 : 0x00) | (p->multifunction ? 0x80 : 0);
	for (unsigned int i = 0; v->facts && i < v->facts->nr_bars; i++) {
		const struct ims_topo_bar *bar = &v->facts->bars[i];
		uint64_t a = v->bar_addr[i];

		le32(cfg + 0x10 + 4 * bar->index, (uint32_t)a | bar_register_bits(bar));
		if (bar->flags & IMS_TOPO_BAR_MEM64)
			le32(cfg + 0x14 + 4 * bar->index, (uint32_t)(a >> 32));
	}
	if (p->bridge) {
		cfg[0x18] = p->bus;
		cfg[0x19] = cfg[0x1a] = v->t ? v->t->secondary_bus : 0;
	} else if (v->t) {
		le16(cfg + 0x2c, v->t->subsystem_vendor);
		le16(cfg + 0x2e, v->t->subsystem_device);
	}
}

/* resource: one "start end flags" line per resource, zeros for unused ones. */
static int pci_resource_text(const struct pci_view *v, char *text, size_t len)
{
	unsigned int lines = v->dev->pci.bridge ? 17 : 13;
	uint64_t start[17] = { 0 }, end[17] = { 0 }, flags[17] = { 0 };
	size_t used = 0;
	int ret = 0;

	for (unsigned int i = 0; v->facts && i < v->facts->nr_bars; i++) {
		const struct ims_topo_bar *bar = &v->facts->bars[i];

		start[bar->index] = v->bar_addr[i];
		end[bar->index] = v->bar_addr[i] + bar->size - 1;
		flags[bar->index] = bar_resource_flags(bar);
	}
	for (unsigned int i = 0; !ret && i < lines; i++) {
		ret = fmt(text + used, len - used, "0x%016llx 0x%016llx 0x%016llx\n",
			  (unsigned long long)start[i], (unsigned long long)end[i],
			  (unsigned long long)flags[i]);
		used += strlen(text + used);
	}
	return ret;
}

static int put_attr(struct ims_sysfs *s, const char *dir, const char *name, const char *f, ...)
	__attribute__((format(printf, 4, 5)));

static int put_attr(struct ims_sysfs *s, const char *dir, const char *name, const char *f, ...)
{
	char path[PATH_LEN];
	va_list ap;
	int ret = fmt(path, sizeof(path), "%s/%s", dir, name);

	if (ret)
		return ret;
	va_start(ap, f);
	ret = vput(s, path, 0444, f, ap);
	va_end(ap);
	return ret;
}

static int link_attr(struct ims_sysfs *s, const char *dir, const char *name, const char *target)
{
	char path[PATH_LEN];
	int ret = fmt(path, sizeof(path), "%s/%s", dir, name);

	return ret ? ret : put_link(s, path, target);
}

static int pci_ids(struct ims_sysfs *s, const struct pci_view *v, const char *driver)
{
	const struct ims_pci_info *p = &v->dev->pci;
	uint16_t sv = v->t ? v->t->subsystem_vendor : 0, sd = v->t ? v->t->subsystem_device : 0;
	char modalias[128];
	int ret;

	snprintf(modalias, sizeof(modalias), "pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X",
		 p->vendor, p->device, sv, sd, (p->class_code >> 16) & 0xff,
		 (p->class_code >> 8) & 0xff, p->class_code & 0xff);
	ret = put_attr(s, v->dir, "vendor", "0x%04x\n", p->vendor);
	if (!ret)
		ret = put_attr(s, v->dir, "device", "0x%04x\n", p->device);
	if (!ret)
		ret = put_attr(s, v->dir, "subsystem_vendor", "0x%04x\n", sv);
	if (!ret)
		ret = put_attr(s, v->dir, "subsystem_device", "0x%04x\n", sd);
	if (!ret)
		ret = put_attr(s, v->dir, "class", "0x%06x\n", p->class_code);
	if (!ret)
		ret = put_attr(s, v->dir, "revision", "0x%02x\n", v->t ? v->t->revision : 0);
	if (!ret)
		ret = put_attr(s, v->dir, "modalias", "%s\n", modalias);
	if (!ret)
		ret = put_attr(s, v->dir, "uevent", "%s%s%sPCI_CLASS=%X\nPCI_ID=%04X:%04X\n"
			       "PCI_SUBSYS_ID=%04X:%04X\nPCI_SLOT_NAME=%s\nMODALIAS=%s\n",
			       driver ? "DRIVER=" : "", driver ? driver : "", driver ? "\n" : "",
			       p->class_code, p->vendor, p->device, sv, sd, v->dev->name, modalias);
	return ret;
}

static int pci_space(struct ims_sysfs *s, struct pci_view *v)
{
	char text[17 * 60], path[PATH_LEN];
	uint8_t cfg[256];
	int ret;

	for (unsigned int i = 0; v->facts && i < v->facts->nr_bars; i++)
		v->bar_addr[i] = bar_address(s, &v->facts->bars[i]);
	pci_config(v, cfg);
	ret = fmt(path, sizeof(path), "%s/config", v->dir);
	if (!ret)
		ret = put_bytes(s, path, 0644, cfg, sizeof(cfg));
	if (!ret)
		ret = pci_resource_text(v, text, sizeof(text));
	if (!ret)
		ret = put_attr(s, v->dir, "resource", "%s", text);
	if (!ret)
		ret = put_attr(s, v->dir, "numa_node", "-1\n");
	if (!ret)
		ret = put_attr(s, v->dir, "irq", "0\n");
	if (!ret && v->dev->pci.bridge)
		ret = put_attr(s, v->dir, "secondary_bus_number", "%u\n",
			       v->t ? v->t->secondary_bus : 0);
	if (!ret && v->dev->pci.bridge)
		ret = put_attr(s, v->dir, "subordinate_bus_number", "%u\n",
			       v->t ? v->t->secondary_bus : 0);
	return ret;
}

static int part_pci_device(struct ims_sysfs *s, struct ims_device *dev, const char *driver)
{
	struct pci_view v = { .dev = dev, .facts = facts_of(s, dev) };
	char root[64];
	int ret = device_dir(dev, v.dir, sizeof(v.dir));

	v.t = v.facts ? &v.facts->pci : NULL;
	if (!ret)
		ret = fmt(root, sizeof(root), "%.*s", (int)strcspn(v.dir + 13, "/") + 13, v.dir);
	if (!ret)
		ret = own(s, root);
	if (!ret)
		ret = pci_ids(s, &v, driver);
	if (!ret)
		ret = pci_space(s, &v);
	return ret;
}

static int part_platform_device(struct ims_sysfs *s, struct ims_device *dev, const char *driver)
{
	const struct ims_topo_device *d = facts_of(s, dev);
	const char *node = d && d->node ? d->node : "";
	const char *base = strrchr(node, '/') ? strrchr(node, '/') + 1 : node;
	char dir[PATH_LEN];
	int ret = device_dir(dev, dir, sizeof(dir));

	if (!ret)
		ret = put_attr(s, dir, "uevent", "%s%s%sOF_NAME=%.*s\nOF_FULLNAME=%s\n",
			       driver ? "DRIVER=" : "", driver ? driver : "", driver ? "\n" : "",
			       (int)strcspn(base, "@"), base, node);
	return ret;
}

/* iommu_group, iommu and their back links. */
static int device_iommu_links(struct ims_sysfs *s, struct ims_device *dev, const char *dir)
{
	char path[PATH_LEN], idir[PATH_LEN];
	int ret;

	ret = fmt(path, sizeof(path), "/sys/kernel/iommu_groups/%u", dev->group->id);
	if (!ret)
		ret = link_attr(s, dir, "iommu_group", path);
	if (!ret)
		ret = fmt(path, sizeof(path), "/sys/kernel/iommu_groups/%u/devices/%s",
			  dev->group->id, dev->name);
	if (!ret)
		ret = put_link(s, path, dir);
	if (ret || !dev->iommu)
		return ret;
	if (!iommu_dir(dev->iommu->name, idir, sizeof(idir)))
		return -ENAMETOOLONG;
	ret = link_attr(s, dir, "iommu", idir);
	if (!ret)
		ret = fmt(path, sizeof(path), "%s/devices/%s", idir, dev->name);
	return ret ? ret : put_link(s, path, dir);
}

/* bus/<bus>/devices/<dev>, subsystem, driver and the driver's link back. */
static int device_bus_links(struct ims_sysfs *s, struct ims_device *dev, const char *dir,
			    const char *driver)
{
	const char *bus = dev->bus == IMS_BUS_PCI ? "pci" : "platform";
	char path[PATH_LEN], drv[PATH_LEN];
	int ret;

	ret = fmt(path, sizeof(path), "/sys/bus/%s/devices/%s", bus, dev->name);
	if (!ret)
		ret = put_link(s, path, dir);
	if (!ret)
		ret = fmt(path, sizeof(path), "/sys/bus/%s", bus);
	if (!ret)
		ret = link_attr(s, dir, "subsystem", path);
	if (!ret)
		ret = put_attr(s, dir, "driver_override", "(null)\n");
	if (ret || !driver)
		return ret;
	ret = fmt(drv, sizeof(drv), "/sys/bus/%s/drivers/%s", bus, driver);
	if (!ret)
		ret = link_attr(s, dir, "driver", drv);
	if (!ret)
		ret = fmt(path, sizeof(path), "%s/%s", drv, dev->name);
	return ret ? ret : put_link(s, path, dir);
}

static int part_device(struct ims_sysfs *s, struct ims_device *dev)
{
	const char *driver = driver_of(s, dev);
	char dir[PATH_LEN];
	int ret = device_dir(dev, dir, sizeof(dir));

	if (!ret)
		ret = dev->bus == IMS_BUS_PCI ? part_pci_device(s, dev, driver) :
						 part_platform_device(s, dev, driver);
	if (!ret && dev->group)
		ret = device_iommu_links(s, dev, dir);
	if (!ret)
		ret = device_bus_links(s, dev, dir, driver);
	return ret;
}

static int part_devices(struct ims_sysfs *s)
{
	static const char *const owned[] = {
		"/sys/bus/pci", "/sys/bus/platform", "/sys/devices/platform",
	};
	static const char *const dirs[] = {
		"/sys/bus/pci/devices", "/sys/bus/pci/drivers/vfio-pci",
		"/sys/bus/platform/devices", "/sys/bus/platform/drivers",
	};
	struct ims_device *dev;
	int ret = 0;

	for (size_t i = 0; !ret && i < IMS_ARRAY_SIZE(owned); i++)
		ret = own(s, owned[i]);
	for (size_t i = 0; !ret && i < IMS_ARRAY_SIZE(dirs); i++)
		ret = put_dir(s, dirs[i]);
	ims_list_for_each_entry(dev, &s->host->core->devices, core_node)
		if (!ret)
			ret = part_device(s, dev);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Part: VFIO                                                          */

/*
 * A character device as the driver core shows it: @dir/dev ("maj:min"),
 * the class link @class_link to @dir, and the node @node.
 */
static int put_chardev(struct ims_sysfs *s, const char *dir, const char *class_link,
		       const char *node, mode_t mode, dev_t rdev)
{
	int ret = put_attr(s, dir, "dev", "%u:%u\n", major(rdev), minor(rdev));

	if (!ret)
		ret = put_link(s, class_link, dir);
	return ret ? ret : ims_sysfs_add_devnode(s, node, mode, rdev);
}

static int part_vfio_group(struct ims_sysfs *s, uint32_t id)
{
	char dir[PATH_LEN], link[PATH_LEN], node[PATH_LEN];
	int ret = fmt(dir, sizeof(dir), "/sys/devices/virtual/vfio/%u", id);

	if (!ret)
		ret = fmt(link, sizeof(link), "/sys/class/vfio/%u", id);
	if (!ret)
		ret = fmt(node, sizeof(node), "/dev/vfio/%u", id);
	return ret ? ret : put_chardev(s, dir, link, node, 0600, makedev(IMS_VFIO_GROUP_MAJOR, id));
}

static int part_vfio(struct ims_sysfs *s)
{
	struct ims_host *host = s->host;
	int ret = own(s, "/dev/vfio");

	if (!ret)
		ret = own(s, "/sys/class/vfio");
	if (!ret)
		ret = own(s, "/sys/devices/virtual/vfio");
	if (!ret)
		ret = own(s, "/sys/devices/virtual/misc/vfio");
	if (!ret)
		ret = put(s, "/sys/devices/virtual/misc/vfio/dev", 0444, "%u:%u\n",
			  IMS_VFIO_CONTAINER_MAJOR, IMS_VFIO_CONTAINER_MINOR);
	if (!ret)
		ret = ims_sysfs_add_devnode(s, "/dev/vfio/vfio", 0666,
					    makedev(IMS_VFIO_CONTAINER_MAJOR,
						    IMS_VFIO_CONTAINER_MINOR));
	for (uint32_t id = 0; !ret && id < host->nr_vgroups; id++)
		if (host->vgroups[id])
			ret = part_vfio_group(s, id);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Part: module parameters                                             */

static bool has_vfio_platform(struct ims_sysfs *s)
{
	struct ims_device *dev;

	ims_list_for_each_entry(dev, &s->host->core->devices, core_node) {
		const char *driver = driver_of(s, dev);

		if (driver && !strcmp(driver, "vfio-platform"))
			return true;
	}
	return false;
}

static int part_modules(struct ims_sysfs *s)
{
	static const char *const vfio_pci_params[] = {
		"disable_denylist", "disable_idle_d3", "enable_sriov", "nointxmask",
	};
	const struct ims_vfio_env *env = &s->host->vfio_env;
	char path[PATH_LEN];
	int ret = own(s, "/sys/module/vfio");

	if (!ret)
		ret = put(s, "/sys/module/vfio/parameters/enable_unsafe_noiommu_mode", 0644, "N\n");
	if (!ret)
		ret = own(s, "/sys/module/vfio_iommu_type1");
	if (!ret)
		ret = put(s, "/sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts",
			  0644, "%c\n", env->allow_unsafe_interrupts ? 'Y' : 'N');
	if (!ret)
		ret = put(s, "/sys/module/vfio_iommu_type1/parameters/dma_entry_limit", 0644,
			  "%u\n", env->dma_entry_limit);
	if (!ret)
		ret = own(s, "/sys/module/vfio_pci");
	for (size_t i = 0; !ret && i < IMS_ARRAY_SIZE(vfio_pci_params); i++) {
		ret = fmt(path, sizeof(path), "/sys/module/vfio_pci/parameters/%s",
			  vfio_pci_params[i]);
		if (!ret)
			ret = put(s, path, 0444, "N\n");
	}
	if (!ret && has_vfio_platform(s))
		ret = own(s, "/sys/module/vfio_platform");
	return ret;
}

/* ------------------------------------------------------------------ */
/* Part: debugfs                                                       */

/* The fault-injection attributes a program may write (fault-inject.rst). */
static const struct {
	const char *name, *value;
} fault_attrs[] = {
	{ "probability", "0" }, { "interval", "1" }, { "times", "1" }, { "space", "0" },
	{ "verbose", "2" }, { "verbose_ratelimit_interval_ms", "0" },
	{ "verbose_ratelimit_burst", "0" }, { "task-filter", "N" },
	{ "require-start", "0" }, { "require-end", "18446744073709551615" },
	{ "reject-start", "0" }, { "reject-end", "18446744073709551615" },
	{ "stacktrace-depth", "32" },
};

static int put_fault_dir(struct ims_sysfs *s, const char *name, const char *const *extra)
{
	char dir[PATH_LEN];
	int ret = fmt(dir, sizeof(dir), "/sys/kernel/debug/%s", name);

	for (size_t i = 0; !ret && i < IMS_ARRAY_SIZE(fault_attrs); i++) {
		char path[PATH_LEN];

		ret = fmt(path, sizeof(path), "%s/%s", dir, fault_attrs[i].name);
		if (!ret)
			ret = put(s, path, 0600, "%s\n", fault_attrs[i].value);
	}
	for (; !ret && extra && *extra; extra += 2) {
		char path[PATH_LEN];

		ret = fmt(path, sizeof(path), "%s/%s", dir, extra[0]);
		if (!ret)
			ret = put(s, path, 0600, "%s\n", extra[1]);
	}
	return ret;
}

static int part_debugfs(struct ims_sysfs *s)
{
	static const char *const slab[] = { "ignore-gfp-wait", "Y", "cache-filter", "N", NULL };
	static const char *const page[] = { "ignore-gfp-wait", "Y", "ignore-gfp-highmem", "Y",
					    "min-order", "1", NULL };
	int ret = own(s, "/sys/kernel/debug");

	if (!ret)
		ret = put(s, "/sys/kernel/debug/iommusim/state", 0400, "%s", "");
	if (!ret)
		ret = put(s, "/sys/kernel/debug/iommusim/reset", 0200, "%s", "");
	if (!ret)
		ret = put_fault_dir(s, "failslab", slab);
	if (!ret)
		ret = put_fault_dir(s, "fail_page_alloc", page);
	if (!ret)
		ret = put_fault_dir(s, "fail_iommufd", NULL);
	return ret;
}

/* Parts kept by the file kinds they belong to (host.h). */
static int part_iommufd(struct ims_sysfs *s)
{
	return ims_host_iommufd_sysfs(s->host, s);
}

static int part_vfio_cdevs(struct ims_sysfs *s)
{
	return ims_host_vfio_cdev_sysfs(s->host, s);
}

/*
 * The parts of the tree, in order (later parts link to earlier ones).  A
 * layer with files of its own adds its part here (see sysfs.h).
 */
static int (*const parts[])(struct ims_sysfs *s) = {
	part_iommus,
	part_groups,
	part_devices,
	part_vfio,
	part_vfio_cdevs,
	part_iommufd,
	part_modules,
	part_debugfs,
};

/* ------------------------------------------------------------------ */
/* Building and removing the folder                                    */

static int remove_tree_at(int parent, const char *name, bool is_dir)
{
	int fd = is_dir ? openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) : -1;
	struct dirent *e;
	DIR *dir;
	int ret = 0;

	if (fd < 0)
		return unlinkat(parent, name, 0) ? -errno : 0;
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return -errno;
	}
	while ((e = readdir(dir)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && !ret)
			ret = remove_tree_at(dirfd(dir), e->d_name,
					     e->d_type == DT_DIR || e->d_type == DT_UNKNOWN);
	closedir(dir);
	if (!ret && unlinkat(parent, name, AT_REMOVEDIR))
		ret = -errno;
	return ret;
}

/* The file in the folder that names the process owning it. */
#define OWNER_MARK ".iommusim-owner"

static void remove_folder(struct ims_sysfs *s)
{
	if (s->root && s->owner == getpid())
		remove_tree_at(AT_FDCWD, s->root, true);
	ims_free(s->root);
	s->root = NULL;
}

/*
 * Where the folder goes: IOMMUSIM_TMPDIR if set, else a memory file system
 * (XDG_RUNTIME_DIR, /dev/shm: building and removing a few hundred files on
 * a journalled disk costs a third of a second), else TMPDIR or /tmp.
 */
static const char *folder_parent(void)
{
	static const char *const vars[] = { "IOMMUSIM_TMPDIR", "XDG_RUNTIME_DIR", NULL, "TMPDIR" };

	for (size_t i = 0; i < IMS_ARRAY_SIZE(vars); i++) {
		const char *dir = vars[i] ? getenv(vars[i]) : "/dev/shm";

		if (dir && *dir && !access(dir, W_OK | X_OK))
			return dir;
	}
	return "/tmp";
}

/* The pid the owner mark of folder @root names, or 0. */
static pid_t folder_owner(const char *root)
{
	char path[PATH_LEN], text[32] = "";
	ssize_t n = 0;
	int fd = fmt(path, sizeof(path), "%s/" OWNER_MARK, root) ? -1 :
		 open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd >= 0) {
		n = read(fd, text, sizeof(text) - 1);
		close(fd);
	}
	return n > 0 ? (pid_t)atoi(text) : 0;
}

/*
 * Folders whose owner is gone: a program that ended with _exit or a signal
 * skipped the atexit handler that removes its folder.  The next host to
 * make a folder in the same place removes them.
 */
static void sweep_orphans(const char *parent)
{
	DIR *dir = opendir(parent);
	char path[PATH_LEN];
	struct dirent *e;

	while (dir && (e = readdir(dir))) {
		pid_t pid;

		if (strncmp(e->d_name, "iommusim-", 9) || strlen(e->d_name) != 15 ||
		    fmt(path, sizeof(path), "%s/%s", parent, e->d_name))
			continue;
		pid = folder_owner(path);
		if (pid > 0 && pid != getpid() && kill(pid, 0) && errno == ESRCH)
			remove_tree_at(AT_FDCWD, path, true);
	}
	if (dir)
		closedir(dir);
}

static int make_folder(struct ims_sysfs *s)
{
	const char *parent = folder_parent();
	char *root = ims_asprintf("%s/iommusim-XXXXXX", parent);

	if (!root)
		return -ENOMEM;
	sweep_orphans(parent);
	if (!mkdtemp(root)) {
		int ret = -errno;

		ims_free(root);
		return ret;
	}
	ims_mutex_lock(&s->lock);
	s->root = root;
	s->owner = getpid();
	ims_mutex_unlock(&s->lock);
	return put(s, "/" OWNER_MARK, 0444, "%d\n", (int)s->owner);
}

static void forget_tables(struct ims_sysfs *s)
{
	for (size_t i = 0; i < s->nr_nodes; i++)
		ims_free(s->nodes[i].path);
	for (size_t i = 0; i < s->nr_owned; i++)
		ims_free(s->owned[i]);
	ims_free(s->nodes);
	ims_free(s->owned);
	s->nodes = NULL;
	s->owned = NULL;
	s->nr_nodes = s->nr_owned = 0;
}

static int build(struct ims_sysfs *s)
{
	int ret = make_folder(s);

	s->mem32 = 0x80000000ull;
	s->mem64 = 0x4000000000ull;
	s->io = 0x1000;
	s->builder = pthread_self();
	s->building = true;
	for (size_t i = 0; !ret && i < IMS_ARRAY_SIZE(parts); i++)
		ret = parts[i](s);
	s->building = false;
	if (ret) {
		ims_mutex_lock(&s->lock);
		remove_folder(s);
		forget_tables(s);
		ims_mutex_unlock(&s->lock);
	}
	return ret;
}

/*
 * A forked child's copy of the host has its parent's folder, which goes
 * when the parent exits: the child builds one of its own on first use.
 */
static void __forget_parents_folder(struct ims_sysfs *s)
{
	ims_mutex_lock(&s->lock);
	ims_free(s->root);
	s->root = NULL;
	forget_tables(s);
	__atomic_store_n(&s->ready, false, __ATOMIC_RELEASE);
	ims_mutex_unlock(&s->lock);
}

/*
 * Build the tree once per process; later calls (and calls from inside a
 * part) return at once.
 */
static int ensure_built(struct ims_sysfs *s)
{
	int ret = 0;

	if ((__atomic_load_n(&s->ready, __ATOMIC_ACQUIRE) && s->owner == getpid()) ||
	    (s->building && pthread_equal(s->builder, pthread_self())))
		return 0;
	ims_mutex_lock(&s->build_lock);
	if (s->ready && s->owner != getpid())
		__forget_parents_folder(s);
	if (!s->ready) {
		ret = build(s);
		if (!ret)
			__atomic_store_n(&s->ready, true, __ATOMIC_RELEASE);
	}
	ims_mutex_unlock(&s->build_lock);
	return ret;
}

int ims_sysfs_create(struct ims_host *host, struct ims_sysfs **out)
{
	struct ims_sysfs *s = ims_zalloc(sizeof(*s));

	if (!s)
		return -ENOMEM;
	s->host = host;
	ims_mutex_init(&s->build_lock);
	ims_mutex_init(&s->lock);
	clock_gettime(CLOCK_REALTIME, &s->birth);
	*out = s;
	return 0;
}

void ims_sysfs_destroy(struct ims_sysfs *s)
{
	if (!s)
		return;
	remove_folder(s);
	forget_tables(s);
	ims_mutex_destroy(&s->lock);
	ims_mutex_destroy(&s->build_lock);
	ims_free(s);
}

/* ------------------------------------------------------------------ */
/* Hooks (sysfs.h)                                                     */

/* A virtual path other layers may write: absolute, no "." or ".." parts. */
static bool plain_path(const char *path)
{
	const char *p = path;

	if (*p != '/')
		return false;
	for (size_t n; (n = component(&p)); p += n)
		if ((n == 1 && p[0] == '.') || (n == 2 && !strncmp(p, "..", 2)))
			return false;
	return true;
}

int ims_sysfs_add_file(struct ims_sysfs *s, const char *path, mode_t mode, const char *f, ...)
{
	va_list ap;
	int ret = plain_path(path) ? ensure_built(s) : -EINVAL;

	if (ret)
		return ret;
	va_start(ap, f);
	ret = vput(s, path, mode, f, ap);
	va_end(ap);
	return ret;
}

int ims_sysfs_add_link(struct ims_sysfs *s, const char *path, const char *target)
{
	int ret = plain_path(path) && plain_path(target) ? ensure_built(s) : -EINVAL;

	return ret ? ret : put_link(s, path, target);
}

int ims_sysfs_add_devnode(struct ims_sysfs *s, const char *path, mode_t mode, dev_t rdev)
{
	int ret = plain_path(path) && !strncmp(path, "/dev/", 5) ? ensure_built(s) : -EINVAL;

	if (!ret)
		ret = put(s, path, 0600, "%s", ""); /* so that its folder lists it */
	return ret ? ret : add_node(s, path, mode, rdev);
}

int ims_sysfs_own(struct ims_sysfs *s, const char *dir)
{
	int ret = plain_path(dir) ? ensure_built(s) : -EINVAL;

	return ret ? ret : own(s, dir);
}

int ims_sysfs_add_vfio_cdev(struct ims_sysfs *s, const char *dev_name, unsigned int index,
			    dev_t rdev)
{
	struct ims_device *dev = ims_device_find(s->host->core, dev_name);
	char dir[PATH_LEN], cdev[PATH_LEN], link[PATH_LEN], node[PATH_LEN];
	int ret = dev ? ensure_built(s) : -ENODEV;

	if (!ret)
		ret = device_dir(dev, dir, sizeof(dir));
	if (!ret)
		ret = fmt(cdev, sizeof(cdev), "%s/vfio-dev/vfio%u", dir, index);
	if (!ret)
		ret = fmt(link, sizeof(link), "/sys/class/vfio-dev/vfio%u", index);
	if (!ret)
		ret = fmt(node, sizeof(node), "/dev/vfio/devices/vfio%u", index);
	if (!ret)
		ret = own(s, "/sys/class/vfio-dev");
	return ret ? ret : put_chardev(s, cdev, link, node, 0600, rdev);
}

/* ------------------------------------------------------------------ */
/* Paths (include/iommusim/host.h)                                     */

/* The first folders of every path a host may own (see the parts above). */
static const char *const candidate_prefixes[] = { "/sys/", "/dev/vfio", "/dev/iommu" };

IMS_EXPORT bool ims_host_path_candidate(const char *path)
{
	for (size_t i = 0; path && i < IMS_ARRAY_SIZE(candidate_prefixes); i++)
		if (!strncmp(path, candidate_prefixes[i], strlen(candidate_prefixes[i])))
			return true;
	return false;
}

IMS_EXPORT const char *ims_host_sysfs_root(struct ims_host *host)
{
	return host && !ensure_built(host->sysfs) ? host->sysfs->root : NULL;
}

/*
 * Copy @path to @out without "//", "/./" and trailing slashes.  ".."
 * components are taken back lexically only while the path is outside
 * every owned root (real folders of the real /sys and /dev); inside one the
 * rest is kept as given, for the tree's own links to resolve.
 */
static int __normalize(struct ims_sysfs *s, const char *path, char *out, size_t len);

static bool __owned_prefix(struct ims_sysfs *s, const char *vpath, size_t n)
{
	ims_assert_held(&s->lock);
	for (size_t i = 0; i < s->nr_owned; i++) {
		size_t l = strlen(s->owned[i]);

		if (l <= n && !strncmp(vpath, s->owned[i], l) && (vpath[l] == '/' || l == n))
			return true;
	}
	return false;
}

static int __normalize(struct ims_sysfs *s, const char *path, char *out, size_t len)
{
	const char *p = path;
	size_t used = 0;

	out[0] = '\0';
	for (size_t n; (n = component(&p)); p += n) {
		if (n == 1 && p[0] == '.')
			continue;
		if (n == 2 && !strncmp(p, "..", 2) && !__owned_prefix(s, out, used)) {
			while (used && out[--used] != '/')
				;
			out[used] = '\0';
			continue;
		}
		if (used + n + 2 > len)
			return -ENAMETOOLONG;
		out[used++] = '/';
		memcpy(out + used, p, n);
		used += n;
		out[used] = '\0';
	}
	if (!used)
		strcpy(out, "/");
	return 0;
}

IMS_EXPORT int ims_host_resolve_path(struct ims_host *host, const char *path, char *buf,
				     size_t len)
{
	struct ims_sysfs *s;
	char norm[PATH_LEN];
	int ret;

	if (!host || !path)
		return -EFAULT;
	if (path[0] != '/')
		return IMS_PATH_FOREIGN;
	s = host->sysfs;
	ret = ensure_built(s);
	if (ret)
		return ret;
	ims_mutex_lock(&s->lock);
	ret = __normalize(s, path, norm, sizeof(norm));
	if (!ret && __find_node(s, norm))
		ret = fmt(buf, len, "%s", norm) ?: IMS_PATH_NODE;
	else if (!ret && __owned_prefix(s, norm, strlen(norm)))
		ret = fmt(buf, len, "%s%s", s->root, norm) ?: IMS_PATH_TREE;
	ims_mutex_unlock(&s->lock);
	return ret;
}

IMS_EXPORT int ims_host_unresolve_path(struct ims_host *host, const char *real, char *buf,
				       size_t len)
{
	const char *root = ims_host_sysfs_root(host);
	size_t n = root ? strlen(root) : 0;

	if (!root || strncmp(real, root, n) || (real[n] && real[n] != '/'))
		return 0;
	return fmt(buf, len, "%s", real[n] ? real + n : "/") ?: 1;
}

IMS_EXPORT int ims_stat_path(struct ims_host *host, const char *path, struct stat *st)
{
	struct ims_sysfs *s = host->sysfs;
	struct sysfs_node *node;
	char norm[PATH_LEN];
	int ret = ensure_built(s);

	if (ret)
		return ret;
	ims_mutex_lock(&s->lock);
	ret = __normalize(s, path, norm, sizeof(norm));
	node = ret ? NULL : __find_node(s, norm);
	if (node) {
		memset(st, 0, sizeof(*st));
		st->st_dev = makedev(0, 5);           /* devtmpfs */
		st->st_ino = 1000 + (ino_t)(node - s->nodes);
		st->st_mode = node->mode;
		st->st_nlink = 1;
		st->st_rdev = node->rdev;
		st->st_blksize = 4096;
		st->st_atim = st->st_mtim = st->st_ctim = s->birth;
	}
	ims_mutex_unlock(&s->lock);
	return ret ? ret : node ? 0 : -ENOENT;
}

IMS_EXPORT int ims_host_fd_link(struct ims_host *host, int fd, char *buf, size_t len)
{
	struct ims_host_file *file = ims_host_get_file(host, fd);
	struct sysfs_node *node = NULL;
	struct stat st;
	int ret;

	if (!file)
		return -EBADF;
	ret = ims_fstat(host, fd, &st) ?: ensure_built(host->sysfs);
	if (!ret && S_ISCHR(st.st_mode)) {
		ims_mutex_lock(&host->sysfs->lock);
		for (size_t i = 0; i < host->sysfs->nr_nodes && !node; i++)
			if (host->sysfs->nodes[i].rdev == st.st_rdev)
				node = &host->sysfs->nodes[i];
		ret = node ? fmt(buf, len, "%s", node->path) : 0;
		ims_mutex_unlock(&host->sysfs->lock);
	}
	if (!ret && !node)
		ret = fmt(buf, len, "anon_inode:%s", file->ops->name);
	ims_host_put_file(host, file);
	return ret;
}

IMS_EXPORT int ims_host_sysfs_remove_stale(const char *root)
{
	struct stat st;

	if (stat(root, &st))
		return -errno;
	if (folder_owner(root) != getpid())
		return -EPERM;
	return remove_tree_at(AT_FDCWD, root, true);
}
