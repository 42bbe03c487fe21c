/* SPDX-License-Identifier: MIT */
/*
 * Mutexes with held-assertions, our stand-in for lockdep_assert_held().
 *
 * With IMS_LOCK_DEBUG (the default for development builds) each mutex records
 * its owner thread, and ims_assert_held() reports and aborts when the caller
 * does not hold it: a locking bug in the library is never a condition the
 * application can trigger, so stopping loudly in a debug build is right.
 * Release builds compile the checks away.
 *
 * Convention (from the kernel): a function whose name starts with "__"
 * expects its caller to hold the lock named in its comment.
 */
#ifndef IMS_UTIL_LOCK_H
#define IMS_UTIL_LOCK_H

#include <pthread.h>
#include <stdbool.h>

struct ims_mutex {
	pthread_mutex_t mutex;
#ifdef IMS_LOCK_DEBUG
	pthread_t owner;
	bool held;
#endif
};

void ims_mutex_init(struct ims_mutex *m);
void ims_mutex_destroy(struct ims_mutex *m);
void ims_mutex_lock(struct ims_mutex *m);
void ims_mutex_unlock(struct ims_mutex *m);

#ifdef IMS_LOCK_DEBUG
void ims_lock_assert_failed(const char *what, const char *file, int line);
bool ims_mutex_held(const struct ims_mutex *m);
#define ims_assert_held(m)                                                    \
	do {                                                                  \
		if (!ims_mutex_held(m))                                       \
			ims_lock_assert_failed(#m, __FILE__, __LINE__);       \
	} while (0)
#else
#define ims_assert_held(m) ((void)(m))
#endif

#endif
