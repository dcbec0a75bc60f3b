#pragma once

#include "phantom/patient_identity.h"

namespace dpflow {

/// One lung of one breath, in the patient frame (mm). The lung is the generalised ellipsoid
/// (x/a)^2 + g(y/b) + (z/c)^2 <= 1 with g(t) = t^2 above the centre and |t|^p below (a wide
/// base), minus the abdomen under the diaphragm dome y >= dome_y + kx (x-dome_x)^2 + kz (z-dome_z)^2
/// and minus the heart and mediastinum. Shared by the anatomy and the pathology placement, so
/// a lesion drawn "in the right lower zone" is where the renderer puts the right lower lung.
struct LungGeometry {
    int side = -1;               ///< -1 patient's right (image left on a PA film), +1 left
    double centre_x = 0, centre_y = 0, centre_z = 0;
    double half_width = 0, half_height = 0, half_depth = 0;
    double base_exponent = 3;
    double apex_y = 0;           ///< top of the lung
    double dome_x = 0, dome_y = 0, dome_z = 0;  ///< apex of the diaphragm dome under this lung
    double dome_kx = 0, dome_kz = 0;            ///< dome curvature across and front-to-back
};

/// The lung on `side` (-1 right, +1 left) of a patient breathing at `inspiration` (-1..1).
LungGeometry lungGeometry(const ThoraxShape& shape, int side, double inspiration);

/// Height of the dome surface under `lung` at (x, z).
double domeSurfaceY(const LungGeometry& lung, double x, double z);

}  // namespace dpflow
