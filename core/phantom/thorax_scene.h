#pragma once

#include "phantom/lung_geometry.h"
#include "phantom/pathology.h"

#include <array>
#include <vector>

namespace dpflow {

/// Effective linear attenuation coefficients (1/mm) at a chest tube voltage. Bodies carry the
/// difference to what they displace (a lung is lung minus soft tissue), so line integrals add.
namespace attenuation {
constexpr double kSoftTissue = 0.019;
constexpr double kInflatedLung = 0.005;
constexpr double kLungInTissue = kInflatedLung - kSoftTissue;  ///< lung displacing tissue
constexpr double kAirInTissue = -kSoftTissue;                  ///< trachea, stomach bubble
constexpr double kFluidInLung = kSoftTissue - kInflatedLung;   ///< consolidation, effusion, vessels
constexpr double kCorticalBone = 0.045;
constexpr double kCancellousBone = 0.024;
constexpr double kMetal = 0.4;
}  // namespace attenuation

struct Point3 {
    double x = 0, y = 0, z = 0;
};

/// A generalised ellipsoid: (x'/a)^2 + g(y'/b) + (z/c)^2 <= 1 in its frame, which is rotated by
/// `angle_rad` in the image plane; g(t) = t^2 above the centre and |t|^lower_exponent below.
/// Its chord along the beam is analytic: 2c sqrt(1 - (x'/a)^2 - g(y'/b)).
struct EllipsoidBody {
    Point3 centre;
    double half_width = 1, half_height = 1, half_depth = 1;
    double angle_rad = 0;
    double lower_exponent = 2;
    double mu = 0;  ///< attenuation added where the body is (1/mm)
};

/// A tube of circular cross-section along a 3D polyline (ribs, clavicles, vessels, wires), with
/// an optional marrow core of lower attenuation (bone cortex appears as two bright margins).
struct TubeBody {
    std::vector<Point3> path;
    double radius = 1;
    double mu = 0;
    double marrow_fraction = 0;  ///< marrow radius / radius (0: solid)
    double marrow_mu = 0;        ///< attenuation of the marrow core
};

/// A lung: its geometry, and the bodies it wraps around (heart, mediastinum) that it is cut by.
struct LungBody {
    LungGeometry geometry;
    std::vector<EllipsoidBody> cutouts;
};

/// The soft-tissue outline of the trunk, neck and shoulders as an elliptic cylinder whose
/// half width and depth vary with height (y).
struct BodyOutline {
    double chest_half_width = 150, chest_half_depth = 100;
    double shoulder_half_width = 178, neck_half_width = 55;
    double neck_y = -190;      ///< where the neck meets the shoulders
    double shoulder_y = -150;  ///< where the shoulders are widest
    double chest_y = -70;      ///< from here down the chest wall has its own width

    double halfWidthAt(double y) const;
    double halfDepthAt(double y) const;
};

/// Everything one radiograph projects, in the patient frame (mm).
struct ThoraxScene {
    BodyOutline body;
    std::array<LungBody, 2> lungs;  ///< [0] right (side -1), [1] left (side +1)
    std::vector<EllipsoidBody> ellipsoids;
    std::vector<TubeBody> tubes;
    Pathology pathology;
};

}  // namespace dpflow
