// SPDX-License-Identifier: MIT
/*
 * Device models: which ims_pci_model an endpoint gets (see pci_ep.h).
 *
 * A model registers for one vendor:device pair; endpoints created from
 * then on for functions with those IDs use it, every other function gets
 * the generic model (no ops: BARs are memory, FLR zeroes them).  Each
 * endpoint holds its model until destroyed, so a model cannot be
 * unregistered under a live endpoint (EBUSY).
 *
 * Locking: models_lock protects the registry and the use counts; it is
 * taken alone, never with another lock held inside it.
 */
#include <errno.h>
#include <pthread.h>

#include "pci_ep.h"
#include "util/alloc.h"
#include "util/list.h"

const struct ims_pci_model ims_pci_generic_model = {
	.name = "generic",
};

struct model_entry {
	struct ims_list node;
	const struct ims_pci_model *model;
	unsigned int users;      /* endpoints using it */
};

static struct ims_mutex models_lock;
static struct ims_list models = IMS_LIST_INIT(models);
static pthread_once_t models_once = PTHREAD_ONCE_INIT;

static void models_init(void)
{
	ims_mutex_init(&models_lock);
}

static void lock_models(void)
{
	pthread_once(&models_once, models_init);
	ims_mutex_lock(&models_lock);
}

static struct model_entry *find(uint16_t vendor, uint16_t device)
{
	struct model_entry *e;

	ims_assert_held(&models_lock);
	ims_list_for_each_entry(e, &models, node)
		if (e->model->vendor == vendor && e->model->device == device)
			return e;
	return NULL;
}

int ims_pci_model_register(const struct ims_pci_model *model)
{
	struct model_entry *e = ims_zalloc(sizeof(*e));
	int ret = 0;

	if (!e)
		return -ENOMEM;
	e->model = model;
	lock_models();
	if (find(model->vendor, model->device))
		ret = -EEXIST;
	else
		ims_list_add_tail(&e->node, &models);
	ims_mutex_unlock(&models_lock);
	if (ret)
		ims_free(e);
	return ret;
}

int ims_pci_model_unregister(const struct ims_pci_model *model)
{
	struct model_entry *e;
	int ret = 0;

	lock_models();
	e = find(model->vendor, model->device);
	if (!e || e->model != model)
		ret = -ENOENT;
	else if (e->users)
		ret = -EBUSY;
	else
		ims_list_del(&e->node);
	ims_mutex_unlock(&models_lock);
	if (!ret)
		ims_free(e);
	return ret;
}

const struct ims_pci_model *ims_pci_model_get(uint16_t vendor, uint16_t device)
{
	const struct ims_pci_model *model = &ims_pci_generic_model;
	struct model_entry *e;

	lock_models();
	e = find(vendor, device);
	if (e) {
		e->users++;
		model = e->model;
	}
	ims_mutex_unlock(&models_lock);
	return model;
}

void ims_pci_model_put(const struct ims_pci_model *model)
{
	struct model_entry *e;

	if (model == &ims_pci_generic_model)
		return;
	lock_models();
	e = find(model->vendor, model->device);
	if (e && e->model == model)
		e->users--;
	ims_mutex_unlock(&models_lock);
}
