// SPDX-License-Identifier: MIT
/* iommusim demo: placeholder until the core lands (same commit series). */
#include <stdio.h>

#include "cli.h"

static int demo_run(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_error("demo: the core is not built yet");
}

const struct cli_command cli_demo = {
	.name = "demo",
	.summary = "tell the attach contract's story on the built-in platform",
	.run = demo_run,
};
