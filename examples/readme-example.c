// SPDX-License-Identifier: MIT
/*
 * The README's ten-line example, compiled and run by the tests so that it
 * cannot rot: a container and a group of the mock platform, through the
 * library's syscall surface.
 */
#include <fcntl.h>
#include <linux/vfio.h>
#include <stdio.h>

#include <iommusim/host.h>

int main(void)
{
	struct ims_host *host;
	char err[256];
	long ret;
	int c, g;

	if (ims_host_create("mock", NULL, &host, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	c = ims_open(host, "/dev/vfio/vfio", O_RDWR);
	g = ims_open(host, "/dev/vfio/2", O_RDWR);
	ret = ims_ioctl(host, g, VFIO_GROUP_SET_CONTAINER, &c);
	if (!ret)
		ret = ims_ioctl(host, c, VFIO_SET_IOMMU, (void *)VFIO_TYPE1v2_IOMMU);
	printf("container %d, group %d: %ld\n", c, g, ret);
	ims_host_destroy(host);
	return ret ? 1 : 0;
}
