/* SPDX-License-Identifier: MIT */
/*
 * JSON state of the core (DESIGN 3, "JSON state").  Callers hold no core
 * locks; the core's structure must not change concurrently (the host
 * serialises state dumps with its own lock).
 */
#ifndef IMS_CORE_STATE_H
#define IMS_CORE_STATE_H

#include <json-c/json.h>

struct ims_core;

/* Add "profile", "iommus", "devices", "groups", "domains" to @state. */
void ims_core_state_add_json(struct ims_core *core, json_object *state);

#endif
