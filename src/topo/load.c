// SPDX-License-Identifier: MIT
/*
 * Where a platform comes from, and the platform object's life.
 *
 * A name without a slash that does not end in .dts or .dtb is a built-in
 * (embedded at build time, see src/topo/meson.build).  Anything else is a
 * file: a blob if it starts with the FDT magic, otherwise device-tree source,
 * which is compiled by running `dtc` from PATH into an anonymous memory file
 * (stdout and stderr both go to memfds, so nothing touches the file system
 * and a chatty dtc cannot block on a pipe).  dtc's warnings go to the topo
 * debug log; its errors become the load error.
 *
 * Every load copies the blob: the platform owns its tree, validated with
 * fdt_check_full() before anything reads it.
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "topo-priv.h"
#include "util/alloc.h"
#include "util/log.h"

extern char **environ;

/* The platform used when none is chosen: an Arm server, the common VFIO host. */
static const char default_platform[] = "arm64-server";

#define MAX_BLOB_SIZE (64u << 20)

static int set_error(char *err, size_t errlen, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int set_error(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen && !err[0]) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

/* ---- built-ins ---- */

const struct ims_topo_builtin *ims_topo_builtin_find(const char *name)
{
	for (const struct ims_topo_builtin *b = ims_topo_builtins; b->name; b++)
		if (!strcmp(b->name, name))
			return b;
	return NULL;
}

static const char *blob_description(const void *blob)
{
	const char *model = fdt_getprop(blob, 0, "model", NULL);

	return model ? model : "";
}

static const struct ims_topo_builtin *builtin_at(size_t index)
{
	for (size_t i = 0; ims_topo_builtins[i].name; i++)
		if (i == index)
			return &ims_topo_builtins[i];
	return NULL;
}

IMS_EXPORT const char *ims_platform_builtin_name(size_t index)
{
	const struct ims_topo_builtin *b = builtin_at(index);

	return b ? b->name : NULL;
}

IMS_EXPORT const char *ims_platform_builtin_description(size_t index)
{
	const struct ims_topo_builtin *b = builtin_at(index);

	return b ? blob_description(b->blob) : NULL;
}

IMS_EXPORT const char *ims_platform_default(void)
{
	return default_platform;
}

/* ---- files ---- */

static int read_fd(int fd, const char *path, void **out, size_t *size, char *err,
		   size_t errlen)
{
	struct stat st;
	char *buf;
	size_t done = 0;

	if (fstat(fd, &st) < 0)
		return set_error(err, errlen, -errno, "%s: %s", path, strerror(errno));
	if (st.st_size <= 0 || (uint64_t)st.st_size > MAX_BLOB_SIZE)
		return set_error(err, errlen, -EINVAL, "%s: not a device tree (%lld bytes)", path,
				 (long long)st.st_size);
	buf = ims_malloc((size_t)st.st_size);
	if (!buf)
		return -ENOMEM;
	while (done < (size_t)st.st_size) {
		ssize_t n = pread(fd, buf + done, (size_t)st.st_size - done, (off_t)done);

		if (n <= 0) {
			ims_free(buf);
			return set_error(err, errlen, n < 0 ? -errno : -EIO, "%s: read failed",
					 path);
		}
		done += (size_t)n;
	}
	*out = buf;
	*size = done;
	return 0;
}

static int read_file(const char *path, void **out, size_t *size, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return set_error(err, errlen, -errno, "%s: %s", path, strerror(errno));
	ret = read_fd(fd, path, out, size, err, errlen);
	close(fd);
	return ret;
}

/* The first line of dtc's stderr, for the message. */
static void first_line(int fd, char *buf, size_t len)
{
	ssize_t n = pread(fd, buf, len - 1, 0);

	buf[n > 0 ? n : 0] = '\0';
	ims_dbg(IMS_LOG_TOPO, "dtc: %s", buf);
	buf[strcspn(buf, "\n")] = '\0';
}

static int run_dtc(const char *path, int out_fd, int err_fd, int *status)
{
	char *const argv[] = { "dtc", "-I", "dts", "-O", "dtb", (char *)path, NULL };
	posix_spawn_file_actions_t actions;
	pid_t pid;
	int ret;

	ret = posix_spawn_file_actions_init(&actions);
	if (ret)
		return -ret;
	ret = posix_spawn_file_actions_adddup2(&actions, out_fd, STDOUT_FILENO);
	if (!ret)
		ret = posix_spawn_file_actions_adddup2(&actions, err_fd, STDERR_FILENO);
	if (!ret)
		ret = posix_spawnp(&pid, "dtc", &actions, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&actions);
	if (ret)
		return -ret;
	while (waitpid(pid, status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

static int compile_dts(const char *path, void **out, size_t *size, char *err, size_t errlen)
{
	int out_fd = memfd_create("iommusim-dtb", MFD_CLOEXEC);
	int err_fd = memfd_create("iommusim-dtc", MFD_CLOEXEC);
	char msg[256];
	int status, ret;

	ret = out_fd < 0 || err_fd < 0 ? -errno : run_dtc(path, out_fd, err_fd, &status);
	if (ret == -ENOENT)
		set_error(err, errlen, ret, "%s: cannot run dtc (is it installed?)", path);
	else if (ret)
		set_error(err, errlen, ret, "%s: running dtc: %s", path, strerror(-ret));
	if (!ret) {
		first_line(err_fd, msg, sizeof(msg));
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			ret = set_error(err, errlen, -EINVAL, "%s: dtc failed: %s", path,
					msg[0] ? msg : "no message");
	}
	if (!ret)
		ret = read_fd(out_fd, path, out, size, err, errlen);
	if (out_fd >= 0)
		close(out_fd);
	if (err_fd >= 0)
		close(err_fd);
	return ret;
}

static bool is_blob(const void *buf, size_t size)
{
	return size >= sizeof(fdt32_t) && fdt_magic(buf) == FDT_MAGIC;
}

static int load_path(const char *path, struct ims_platform **out, char *err, size_t errlen)
{
	void *buf;
	size_t size;
	int ret = read_file(path, &buf, &size, err, errlen);

	if (!ret && !is_blob(buf, size)) {
		ims_free(buf);
		ret = compile_dts(path, &buf, &size, err, errlen);
	}
	if (ret)
		return ret;
	ret = ims_topo_load_blob(buf, size, path, path, NULL, out, err, errlen);
	ims_free(buf);
	return ret;
}

static bool names_a_file(const char *spec)
{
	size_t n = strlen(spec);

	return strchr(spec, '/') || (n > 4 && (!strcmp(spec + n - 4, ".dts") ||
					       !strcmp(spec + n - 4, ".dtb")));
}

static int unknown_builtin(const char *name, char *err, size_t errlen)
{
	char list[256] = "";
	size_t used = 0;

	for (const struct ims_topo_builtin *b = ims_topo_builtins; b->name; b++) {
		int n = snprintf(list + used, sizeof(list) - used, "%s%s", used ? ", " : "",
				 b->name);

		if (n < 0 || (size_t)n >= sizeof(list) - used)
			break;
		used += (size_t)n;
	}
	return set_error(err, errlen, -ENOENT, "%s: no such built-in platform (built-in: %s)",
			 name, list);
}

IMS_EXPORT int ims_platform_load(const char *name_or_path, struct ims_platform **out,
				 char *err, size_t errlen)
{
	const struct ims_topo_builtin *b;

	if (err && errlen)
		err[0] = '\0';
	if (!name_or_path || !name_or_path[0] || !out)
		return set_error(err, errlen, -EINVAL, "no platform named");
	if (names_a_file(name_or_path))
		return load_path(name_or_path, out, err, errlen);
	b = ims_topo_builtin_find(name_or_path);
	if (!b)
		return unknown_builtin(name_or_path, err, errlen);
	return ims_topo_load_blob(b->blob, b->size, b->name, b->file, NULL, out, err, errlen);
}

/* ---- the platform object ---- */

static void dev_free(const struct ims_platform *p, struct topo_dev *d)
{
	const struct ims_driver_model *model;

	if (d->master_data) {
		model = p->iommus[d->iommu].model;
		if (model->free_master)
			model->free_master(d->master_data);
	}
	ims_free(d->specs);
	ims_free(d->resv);
	ims_free(d->name);
	ims_free(d->node);
	ims_free(d);
}

IMS_EXPORT void ims_platform_free(struct ims_platform *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nr_devs; i++)
		dev_free(p, p->devs[i]);
	for (size_t i = 0; i < p->nr_iommus; i++)
		ims_free(p->iommus[i].name);
	ims_free(p->devs);
	ims_free(p->iommus);
	ims_free(p->fdt);
	ims_free(p->name);
	ims_free(p->source);
	ims_free(p);
}

static struct ims_platform *platform_alloc(const void *blob, size_t size, const char *name,
					   const char *source,
					   const struct ims_driver_model *const *models)
{
	struct ims_platform *p = ims_zalloc(sizeof(*p));

	if (!p)
		return NULL;
	p->models = models ? models : ims_driver_models;
	p->name = ims_strdup(name);
	p->source = ims_strdup(source);
	p->fdt = ims_malloc(size);
	if (!p->name || !p->source || !p->fdt) {
		ims_platform_free(p);
		return NULL;
	}
	memcpy(p->fdt, blob, size);
	p->description = blob_description(p->fdt);
	return p;
}

int ims_topo_load_blob(const void *blob, size_t size, const char *name,
		       const char *source, const struct ims_driver_model *const *models,
		       struct ims_platform **out, char *err, size_t errlen)
{
	struct topo_ctx *c;
	int ret;

	if (err && errlen)
		err[0] = '\0';
	if (!is_blob(blob, size) || fdt_check_full(blob, size))
		return set_error(err, errlen, -EINVAL, "%s: not a valid device-tree blob", source);
	c = ims_zalloc(sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->p = platform_alloc(blob, size, name, source, models);
	c->fdt = c->p ? c->p->fdt : NULL;
	c->err = err;
	c->errlen = errlen;
	ret = c->p ? topo_parse(c) : -ENOMEM;
	if (ret == -ENOMEM)
		set_error(err, errlen, ret, "%s: out of memory", source);
	if (ret)
		ims_platform_free(c->p);
	else
		*out = c->p;
	ims_free(c);
	return ret;
}

IMS_EXPORT const char *ims_platform_name(const struct ims_platform *p)
{
	return p->name;
}

IMS_EXPORT const char *ims_platform_description(const struct ims_platform *p)
{
	return p->description;
}

const char *ims_topo_source(const struct ims_platform *p)
{
	return p->source;
}

size_t ims_topo_nr_devices(const struct ims_platform *p)
{
	return p->nr_devs;
}

const struct ims_topo_device *ims_topo_device(const struct ims_platform *p, size_t i)
{
	return i < p->nr_devs ? &p->devs[i]->pub : NULL;
}

const struct ims_topo_device *ims_topo_find_device(const struct ims_platform *p,
						   const char *name)
{
	for (size_t i = 0; i < p->nr_devs; i++)
		if (!strcmp(p->devs[i]->name, name))
			return &p->devs[i]->pub;
	return NULL;
}

size_t ims_topo_nr_iommus(const struct ims_platform *p)
{
	return p->nr_iommus;
}

const char *ims_topo_iommu_name(const struct ims_platform *p, size_t i)
{
	return i < p->nr_iommus ? p->iommus[i].name : NULL;
}

const char *ims_topo_iommu_driver(const struct ims_platform *p, size_t i)
{
	return i < p->nr_iommus ? p->iommus[i].model->name : NULL;
}

const char *ims_topo_binding_name(enum ims_topo_binding binding)
{
	switch (binding) {
	case IMS_TOPO_UNBOUND: return "unbound";
	case IMS_TOPO_VFIO: return "vfio";
	case IMS_TOPO_DRIVER_MANAGED: return "driver-managed";
	case IMS_TOPO_KERNEL: return "kernel";
	}
	return "?";
}
