// SPDX-License-Identifier: MIT
/*
 * Mutex wrappers (see lock.h).  Recursive locking is a bug and is caught by
 * an error-checking mutex in debug builds.
 */
#include "lock.h"

#include <stdio.h>
#include <stdlib.h>

void ims_mutex_init(struct ims_mutex *m)
{
	pthread_mutexattr_t attr;

	pthread_mutexattr_init(&attr);
#ifdef IMS_LOCK_DEBUG
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ERRORCHECK);
	m->held = false;
#endif
	pthread_mutex_init(&m->mutex, &attr);
	pthread_mutexattr_destroy(&attr);
}

void ims_mutex_destroy(struct ims_mutex *m)
{
	pthread_mutex_destroy(&m->mutex);
}

void ims_mutex_lock(struct ims_mutex *m)
{
#ifdef IMS_LOCK_DEBUG
	if (pthread_mutex_lock(&m->mutex))
		ims_lock_assert_failed("recursive or invalid lock", __FILE__, __LINE__);
	m->owner = pthread_self();
	m->held = true;
#else
	pthread_mutex_lock(&m->mutex);
#endif
}

void ims_mutex_unlock(struct ims_mutex *m)
{
#ifdef IMS_LOCK_DEBUG
	m->held = false;
#endif
	pthread_mutex_unlock(&m->mutex);
}

#ifdef IMS_LOCK_DEBUG
bool ims_mutex_held(const struct ims_mutex *m)
{
	return m->held && pthread_equal(m->owner, pthread_self());
}

void ims_lock_assert_failed(const char *what, const char *file, int line)
{
	fprintf(stderr, "iommusim: lock assertion failed: %s not held at %s:%d\n",
		what, file, line);
	abort();
}
#endif
