#include "phantom/lung_geometry.h"

namespace dpflow {

LungGeometry lungGeometry(const ThoraxShape& shape, int side, double inspiration) {
    LungGeometry lung;
    lung.side = side;
    const double s = shape.body_scale;
    lung.dome_y = shape.dome_level + 20 * s * inspiration + (side > 0 ? shape.dome_left_drop : 0.0);
    lung.half_height = shape.lung_half_height * (1 + 0.05 * inspiration);
    lung.apex_y = shape.dome_level - 1.18 * shape.lung_half_height - 4 * s * inspiration;
    lung.centre_y = lung.apex_y + lung.half_height;
    lung.half_width = shape.lung_half_width * (side > 0 ? shape.left_lung_ratio : 1.0) * (1 + 0.03 * inspiration);
    lung.centre_x = side * shape.lung_centre_x;
    lung.half_depth = 0.8 * shape.chest_half_depth;
    lung.centre_z = 0.1 * shape.chest_half_depth;
    lung.base_exponent = shape.lung_base_exponent;
    lung.dome_x = lung.centre_x - side * 0.1 * lung.half_width;
    lung.dome_z = -0.2 * shape.chest_half_depth;
    // Reaches the costophrenic angle ~45 mm below the apex of the dome at the lateral wall,
    // and the posterior recess ~30 mm below it.
    lung.dome_kx = 45.0 / (lung.half_width * lung.half_width);
    lung.dome_kz = 30.0 / (lung.half_depth * lung.half_depth);
    return lung;
}

double domeSurfaceY(const LungGeometry& lung, double x, double z) {
    const double dx = x - lung.dome_x, dz = z - lung.dome_z;
    return lung.dome_y + lung.dome_kx * dx * dx + lung.dome_kz * dz * dz;
}

}  // namespace dpflow
