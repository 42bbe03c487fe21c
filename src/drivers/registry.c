// SPDX-License-Identifier: MIT
/*
 * The table of driver models (see registry.h).
 */
#include "registry.h"

#include <string.h>

extern const struct ims_driver_model ims_mock_model;
extern const struct ims_driver_model ims_s390_model;
extern const struct ims_driver_model ims_sprd_model;
extern const struct ims_driver_model ims_gart_model;
extern const struct ims_driver_model ims_tegra_smmu_model;
extern const struct ims_driver_model ims_omap_model;
extern const struct ims_driver_model ims_mtk_model;
extern const struct ims_driver_model ims_mtk_v1_model;
extern const struct ims_driver_model ims_msm_model;
extern const struct ims_driver_model ims_exynos_model;
extern const struct ims_driver_model ims_rockchip_model;
extern const struct ims_driver_model ims_sun50i_model;
extern const struct ims_driver_model ims_intel_model;
extern const struct ims_driver_model ims_amd_model;
extern const struct ims_driver_model ims_virtio_model;
extern const struct ims_driver_model ims_smmu_v3_model;
extern const struct ims_driver_model ims_arm_smmu_model;
extern const struct ims_driver_model ims_ipmmu_model;
extern const struct ims_driver_model ims_qcom_iommu_model;
extern const struct ims_driver_model ims_apple_dart_model;

const struct ims_driver_model *const ims_driver_models[] = {
	&ims_mock_model,
	&ims_s390_model,
	&ims_sprd_model,
	&ims_gart_model,
	&ims_tegra_smmu_model,
	&ims_omap_model,
	&ims_mtk_model,
	&ims_mtk_v1_model,
	&ims_msm_model,
	&ims_exynos_model,
	&ims_rockchip_model,
	&ims_sun50i_model,
	&ims_intel_model,
	&ims_amd_model,
	&ims_virtio_model,
	&ims_smmu_v3_model,
	&ims_arm_smmu_model,
	&ims_ipmmu_model,
	&ims_qcom_iommu_model,
	&ims_apple_dart_model,
	NULL,
};

const struct ims_driver_model *ims_driver_model_find(const char *name)
{
	for (size_t i = 0; ims_driver_models[i]; i++)
		if (!strcmp(ims_driver_models[i]->name, name))
			return ims_driver_models[i];
	return NULL;
}

const struct ims_driver_model *ims_driver_model_for_compatible(const char *compatible)
{
	for (size_t i = 0; ims_driver_models[i]; i++)
		for (const char *const *c = ims_driver_models[i]->compatibles; c && *c; c++)
			if (!strcmp(*c, compatible))
				return ims_driver_models[i];
	return NULL;
}

const struct ims_driver_model *ims_driver_model_of(const struct ims_iommu *iommu)
{
	for (size_t i = 0; ims_driver_models[i]; i++)
		if (ims_driver_models[i]->ops == iommu->ops)
			return ims_driver_models[i];
	return NULL;
}
