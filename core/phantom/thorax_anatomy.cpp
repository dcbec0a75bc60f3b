#include "phantom/thorax_anatomy.h"

#include "phantom/phantom_random.h"

#include <algorithm>
#include <cmath>

namespace dpflow {
namespace {

constexpr double kPi = 3.14159265358979323846;

double smoothstep(double edge0, double edge1, double x) {
    const double t = std::clamp((x - edge0) / (edge1 - edge0), 0.0, 1.0);
    return t * t * (3 - 2 * t);
}

Point3 lerp(const Point3& a, const Point3& b, double t) {
    return {a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t, a.z + (b.z - a.z) * t};
}

// Centripetal-free (uniform) Catmull-Rom through the control points, for leads and catheters.
std::vector<Point3> smoothCurve(const std::vector<Point3>& c, int samples_per_span) {
    std::vector<Point3> out;
    for (std::size_t i = 0; i + 1 < c.size(); ++i) {
        const Point3& p0 = c[i == 0 ? 0 : i - 1];
        const Point3& p1 = c[i];
        const Point3& p2 = c[i + 1];
        const Point3& p3 = c[std::min(i + 2, c.size() - 1)];
        for (int k = 0; k < samples_per_span; ++k) {
            const double t = static_cast<double>(k) / samples_per_span, t2 = t * t, t3 = t2 * t;
            auto f = [&](double a, double b, double cc, double d) {
                return 0.5 * (2 * b + (-a + cc) * t + (2 * a - 5 * b + 4 * cc - d) * t2 + (-a + 3 * b - 3 * cc + d) * t3);
            };
            out.push_back({f(p0.x, p1.x, p2.x, p3.x), f(p0.y, p1.y, p2.y, p3.y), f(p0.z, p1.z, p2.z, p3.z)});
        }
    }
    out.push_back(c.back());
    return out;
}

EllipsoidBody ellipsoid(Point3 centre, double a, double b, double c, double mu, double angle = 0) {
    EllipsoidBody e;
    e.centre = centre;
    e.half_width = a;
    e.half_height = b;
    e.half_depth = c;
    e.mu = mu;
    e.angle_rad = angle;
    return e;
}

// A hollow shell: the outer body at `mu` with an inner body (fraction of its size) brought
// down to `inner_mu`, as cortical bone around cancellous bone.
void addShell(ThoraxScene& scene, EllipsoidBody outer, double fraction, double inner_mu) {
    EllipsoidBody inner = outer;
    inner.half_width *= fraction;
    inner.half_height *= fraction;
    inner.half_depth *= fraction;
    inner.mu = inner_mu - outer.mu;
    scene.ellipsoids.push_back(outer);
    scene.ellipsoids.push_back(inner);
}

struct Frame {
    const ThoraxShape& shape;
    double s;             // body scale
    double apex_y;        // lung apex (right lung)
    double heart_x, heart_y;
    double heart_magnification;
    bool ap;
};

double spineX(const ThoraxShape& shape, double apex_y, double y) {
    const double t = (y - apex_y) / (320 * shape.body_scale);
    return shape.spine_curve_amplitude * std::sin(kPi * t + shape.spine_curve_phase);
}

void addSpine(ThoraxScene& scene, const Frame& f) {
    const ThoraxShape& sh = f.shape;
    const double d = sh.bone_density;
    for (int level = -4; level <= 14; ++level) {
        const double y = f.apex_y + 4 * f.s + level * sh.rib_spacing;
        const double x = spineX(sh, f.apex_y, y);
        const double growth = 1 + 0.025 * std::max(level, 0);
        addShell(scene, ellipsoid({x, y, 0.55 * sh.chest_half_depth}, 19 * f.s * growth,
                                  0.5 * sh.rib_spacing, 15 * f.s * growth, attenuation::kCorticalBone * d * 0.32),
                 0.85, attenuation::kCancellousBone * d * 0.45);
        for (int side : {-1, 1})
            addShell(scene, ellipsoid({x + side * 13 * f.s * growth, y - 3 * f.s, 0.45 * sh.chest_half_depth},
                                      4.5 * f.s, 6.5 * f.s, 9 * f.s, attenuation::kCorticalBone * d * 0.6),
                     0.55, attenuation::kCancellousBone * d * 0.4);
        scene.ellipsoids.push_back(ellipsoid({x, y + 9 * f.s, 0.95 * sh.chest_half_depth}, 3.5 * f.s,
                                             8 * f.s, 16 * f.s, attenuation::kCorticalBone * d * 0.4));
    }
}

void addRibs(ThoraxScene& scene, const Frame& f, double inspiration) {
    const ThoraxShape& sh = f.shape;
    // Lateral reach, drop and anterior end per rib, from rib 1 (short, steep) to rib 12 (floating).
    constexpr double kReach[] = {0.5, 0.7, 0.82, 0.9, 0.95, 0.98, 0.99, 0.98, 0.95, 0.9, 0.78, 0.6};
    constexpr double kDrop[] = {0.55, 0.8, 0.92, 1, 1, 1, 1, 1, 0.95, 0.9, 0.6, 0.4};
    constexpr double kEnd[] = {1.0, 1.05, 1.05, 1.05, 1.05, 1.05, 1.0, 0.9, 0.75, 0.55, -0.1, -0.6};
    const double theta0 = -kPi / 2 + 0.13, theta_ref = 1.05;
    const double drop_scale = 1 - 0.12 * inspiration;  // a deep breath lifts the ribs
    for (int k = 0; k < 12; ++k) {
        const double head_y = f.apex_y + (k + 0.3) * sh.rib_spacing * (1 + 0.03 * inspiration);
        const double rx = (sh.chest_half_width - 10 * f.s) * kReach[k];
        const double rz = (sh.chest_half_depth - 8 * f.s) * kReach[k];
        for (int side : {-1, 1}) {
            TubeBody rib;
            constexpr int kSegments = 26;
            for (int i = 0; i <= kSegments; ++i) {
                const double theta = theta0 + (kEnd[k] - theta0) * i / kSegments;
                const double s = (theta - theta0) / (theta_ref - theta0);
                const double y = head_y + sh.rib_drop * kDrop[k] * drop_scale * std::pow(std::max(s, 0.0), sh.rib_drop_power)
                                 - 6 * f.s * std::sin(kPi * std::min(s * 2.2, 1.0));
                rib.path.push_back({spineX(sh, f.apex_y, head_y) * (1 - s) + side * rx * std::cos(theta), y,
                                    -rz * std::sin(theta)});
            }
            rib.radius = sh.rib_radius * (k == 0 ? 1.15 : 1.0);
            rib.mu = attenuation::kCorticalBone * sh.bone_density * 0.55;
            rib.marrow_fraction = 0.65;
            rib.marrow_mu = attenuation::kCancellousBone * sh.bone_density * 0.5;
            // The anterior arc is thin, partly cartilage and far from a PA detector: faint.
            TubeBody anterior;
            const std::size_t split = rib.path.size() * 9 / 20;
            anterior = rib;
            anterior.path.assign(rib.path.begin() + static_cast<std::ptrdiff_t>(split), rib.path.end());
            anterior.mu *= 0.45;
            anterior.marrow_mu *= 0.45;
            rib.path.resize(split + 1);
            scene.tubes.push_back(std::move(rib));
            if (anterior.path.size() >= 2) scene.tubes.push_back(std::move(anterior));
        }
    }
}

void addShoulderGirdle(ThoraxScene& scene, const Frame& f) {
    const ThoraxShape& sh = f.shape;
    const double d = sh.bone_density;
    const double lift = f.ap ? -14 * f.s : 0.0;  // AP films project the clavicles higher
    for (int side : {-1, 1}) {
        TubeBody clavicle;
        const Point3 medial{side * 18 * f.s, f.apex_y + 18 * f.s + lift, -0.9 * sh.chest_half_depth};
        const Point3 lateral{side * (sh.shoulder_half_width - 28 * f.s), f.apex_y + 18 * f.s - sh.clavicle_rise + lift,
                             -0.1 * sh.chest_half_depth};
        for (int i = 0; i <= 16; ++i) {
            const double t = i / 16.0;
            Point3 p = lerp(medial, lateral, t);
            p.y += 6 * f.s * std::sin(2 * kPi * t);  // the clavicle's S-curve
            p.z -= 18 * f.s * std::sin(kPi * t);
            clavicle.path.push_back(p);
        }
        clavicle.radius = 6.5 * f.s;
        clavicle.mu = attenuation::kCorticalBone * d;
        clavicle.marrow_fraction = 0.6;
        clavicle.marrow_mu = attenuation::kCancellousBone * d;
        scene.tubes.push_back(std::move(clavicle));

        // Scapula: a thin plate with a thick lateral border; protracted out of the lung field
        // on PA films, over the lateral lung on AP films.
        const double sx = side * (f.ap ? 0.72 : 0.93) * sh.chest_half_width;
        const double sy = f.apex_y + 70 * f.s;
        EllipsoidBody plate = ellipsoid({sx, sy, 0.9 * sh.chest_half_depth}, 42 * f.s, 72 * f.s, 4 * f.s,
                                        attenuation::kCorticalBone * d * 0.8, side * 0.25);
        scene.ellipsoids.push_back(plate);
        TubeBody border;
        const Point3 glenoid{side * (sh.shoulder_half_width - 30 * f.s), f.apex_y + 10 * f.s, 0.2 * sh.chest_half_depth};
        const Point3 inferior{sx - side * 12 * f.s, sy + 70 * f.s, 0.9 * sh.chest_half_depth};
        for (int i = 0; i <= 8; ++i) border.path.push_back(lerp(glenoid, inferior, i / 8.0));
        border.radius = 5 * f.s;
        border.mu = attenuation::kCorticalBone * d * 0.8;
        scene.tubes.push_back(std::move(border));

        // Humeral head and shaft, inside the arm's soft tissue at the edge of the field.
        const Point3 head{side * (sh.shoulder_half_width - 12 * f.s), f.apex_y + 22 * f.s, 0};
        addShell(scene, ellipsoid(head, 24 * f.s, 24 * f.s, 24 * f.s, attenuation::kCorticalBone * d * 0.7), 0.85,
                 attenuation::kCancellousBone * d);
        TubeBody humerus;
        humerus.path = {head, {head.x + side * 12 * f.s, head.y + 260 * f.s, 0}};
        humerus.radius = 11 * f.s;
        humerus.mu = attenuation::kCorticalBone * d;
        humerus.marrow_fraction = 0.6;
        humerus.marrow_mu = 0.0;
        scene.tubes.push_back(std::move(humerus));
        scene.ellipsoids.push_back(ellipsoid({head.x + side * 8 * f.s, head.y + 150 * f.s, 0}, 40 * f.s, 190 * f.s,
                                             42 * f.s, attenuation::kSoftTissue));
    }
}

void addMediastinumAndLungs(ThoraxScene& scene, const Frame& f, const Acquisition& acq) {
    const ThoraxShape& sh = f.shape;
    for (int i = 0; i < 2; ++i) {
        const int side = i == 0 ? -1 : 1;
        LungBody& lung = scene.lungs[i];
        lung.geometry = lungGeometry(sh, side, acq.inspiration);
        EllipsoidBody heart = ellipsoid({f.heart_x, f.heart_y, -0.1 * sh.chest_half_depth},
                                        sh.heart_half_width * f.heart_magnification,
                                        sh.heart_half_height * f.heart_magnification, 0.8 * sh.chest_half_depth, 0,
                                        sh.heart_angle_deg * kPi / 180);
        lung.cutouts.push_back(heart);
        if (side > 0) {
            // Aortic knob and descending aorta on the left.
            lung.cutouts.push_back(ellipsoid({24 * f.s, f.apex_y + 58 * f.s, 0}, 17 * f.s, 17 * f.s, 25 * f.s, 0));
            lung.cutouts.push_back(ellipsoid({20 * f.s, f.heart_y - 10 * f.s, 0.35 * sh.chest_half_depth}, 13 * f.s,
                                             95 * f.s, 16 * f.s, 0));
        } else {
            // Superior vena cava along the right upper mediastinum.
            lung.cutouts.push_back(ellipsoid({-22 * f.s, f.apex_y + 85 * f.s, -0.1 * sh.chest_half_depth}, 15 * f.s,
                                             55 * f.s, 25 * f.s, 0));
        }
        // The hilum: pulmonary arteries and bronchi entering the lung.
        scene.ellipsoids.push_back(ellipsoid({side * 48 * f.s, f.apex_y + (side < 0 ? 112 : 100) * f.s, 0}, 9 * f.s,
                                             24 * f.s, 14 * f.s, attenuation::kFluidInLung * 0.8, side * 0.3));
    }
    // Trachea and main bronchi: the dark air column over the upper spine.
    const double carina_y = f.apex_y + 78 * f.s;
    TubeBody trachea;
    trachea.path = {{sh.trachea_offset, f.apex_y - 120 * f.s, -0.2 * sh.chest_half_depth},
                    {sh.trachea_offset + 2 * f.s, carina_y, 0}};
    trachea.radius = (f.s < 0.8 ? 6 : 8) * f.s;
    trachea.mu = attenuation::kAirInTissue;
    scene.tubes.push_back(trachea);
    for (int side : {-1, 1}) {
        TubeBody bronchus;
        bronchus.path = {{sh.trachea_offset + 2 * f.s, carina_y, 0},
                         {side * (side < 0 ? 30 : 40) * f.s, carina_y + (side < 0 ? 22 : 34) * f.s, 0}};
        bronchus.radius = 5.5 * f.s;
        bronchus.mu = attenuation::kAirInTissue;
        scene.tubes.push_back(bronchus);
    }
}

bool insideLung2d(const LungGeometry& lung, double x, double y, double margin) {
    const double u = (x - lung.centre_x) / lung.half_width;
    const double v = (y - lung.centre_y) / lung.half_height;
    const double g = v < 0 ? v * v : std::pow(std::abs(v), lung.base_exponent);
    return u * u + g < margin && y < domeSurfaceY(lung, x, lung.dome_z) - 5;
}

// The pulmonary vessels: a branching tree from each hilum, fixed per patient (vessel_seed),
// clipped to the lung. They give the lung fields their texture.
void addVessels(ThoraxScene& scene, const Frame& f) {
    PhantomRandom random(f.shape.vessel_seed);
    struct Branch {
        Point3 start;
        double angle, length, radius;
        int depth;
    };
    for (int i = 0; i < 2; ++i) {
        const LungGeometry& lung = scene.lungs[i].geometry;
        const int side = lung.side;
        std::vector<Branch> stack;
        const Point3 hilum{side * 50 * f.s, f.apex_y + 105 * f.s, 0};
        for (double angle : {-1.1, -0.35, 0.35, 0.95, 1.35})  // up-lateral .. down
            stack.push_back({hilum, angle + random.normal() * 0.12, 42 * f.s, 4.2 * f.s, 0});
        while (!stack.empty()) {
            const Branch b = stack.back();
            stack.pop_back();
            const double dx = side * std::cos(b.angle) * b.length, dy = std::sin(b.angle) * b.length;
            const Point3 end{b.start.x + dx, b.start.y + dy, b.start.z + random.normal() * 8 * f.s};
            if (!insideLung2d(lung, end.x, end.y, 0.95)) continue;
            TubeBody vessel;
            vessel.path = {b.start, end};
            vessel.radius = b.radius;
            vessel.mu = attenuation::kFluidInLung;
            scene.tubes.push_back(std::move(vessel));
            if (b.depth >= 5) continue;
            for (int child = 0; child < 2; ++child) {
                const double spread = random.uniform(0.25, 0.55) * (child == 0 ? -1 : 1);
                stack.push_back({end, b.angle + spread, b.length * random.uniform(0.62, 0.82),
                                 std::max(b.radius * 0.72, 0.6 * f.s), b.depth + 1});
            }
        }
    }
}

void addSoftTissueExtras(ThoraxScene& scene, const Frame& f, const Acquisition& acq) {
    const ThoraxShape& sh = f.shape;
    if (acq.gastric_bubble > 0) {
        const double g = acq.gastric_bubble;
        const LungGeometry& left = scene.lungs[1].geometry;
        scene.ellipsoids.push_back(ellipsoid({left.centre_x - 10 * f.s, left.dome_y + 26 * f.s * std::sqrt(g), -0.1 * sh.chest_half_depth},
                                             30 * f.s * g, 17 * f.s * g, 26 * f.s * g, attenuation::kAirInTissue));
    }
    if (sh.breast_size > 0) {
        const double b = sh.breast_size;
        for (int side : {-1, 1}) {
            EllipsoidBody breast = ellipsoid({side * 0.62 * sh.chest_half_width, sh.dome_level - 15 * f.s + 15 * f.s * b,
                                              -sh.chest_half_depth - 12 * f.s * b},
                                             85 * f.s * std::sqrt(b), 60 * f.s * std::sqrt(b), 16 * f.s * b,
                                             attenuation::kSoftTissue, -side * 0.2);
            scene.ellipsoids.push_back(breast);
        }
    }
}

void addImplant(ThoraxScene& scene, const PatientIdentity& patient, const Frame& f) {
    const ThoraxShape& sh = f.shape;
    const int side = patient.implant_side;
    const double front = -sh.chest_half_depth - 6 * f.s;
    switch (patient.implant) {
        case Implant::none:
            return;
        case Implant::pacemaker: {
            const Point3 can{side * 0.55 * sh.chest_half_width, f.apex_y + 45 * f.s, front};
            scene.ellipsoids.push_back(ellipsoid(can, 23, 19, 4, attenuation::kMetal, side * 0.3));
            scene.ellipsoids.push_back(ellipsoid({can.x - side * 10, can.y - 16, front}, 10, 6, 4, attenuation::kMetal * 0.3));
            for (int lead = 0; lead < 2; ++lead) {
                TubeBody wire;
                wire.path = smoothCurve({{can.x - side * 8, can.y - 14, front},
                                         {side * 45 * f.s, f.apex_y + 20 * f.s, -20},
                                         {-12 * f.s, f.apex_y + 70 * f.s, 0},
                                         {-18 * f.s, f.heart_y - 20 * f.s, 0},
                                         lead == 0 ? Point3{-5 * f.s, f.heart_y - 45 * f.s, 0}
                                                   : Point3{f.heart_x + 35 * f.s, f.heart_y + 25 * f.s, 0}},
                                        8);
                wire.radius = 1.1;
                wire.mu = attenuation::kMetal;
                scene.tubes.push_back(std::move(wire));
            }
            return;
        }
        case Implant::sternal_wires:
            for (int w = 0; w < 5; ++w) {
                TubeBody loop;
                const double cy = f.apex_y + 55 * f.s + w * 22 * f.s;
                for (int i = 0; i <= 12; ++i) {
                    const double a = 2 * kPi * i / 12;
                    loop.path.push_back({6 * std::cos(a), cy + 3 * std::sin(a), front + 2 * std::sin(a)});
                }
                loop.radius = 0.7;
                loop.mu = attenuation::kMetal * 2;
                scene.tubes.push_back(std::move(loop));
            }
            return;
        case Implant::port: {
            const Point3 port{side * 0.45 * sh.chest_half_width, f.apex_y + 58 * f.s, front};
            scene.ellipsoids.push_back(ellipsoid(port, 13, 13, 7, attenuation::kMetal * 0.3));
            scene.ellipsoids.push_back(ellipsoid(port, 8, 8, 4, -attenuation::kMetal * 0.2));
            TubeBody catheter;
            catheter.path = smoothCurve({port, {side * 30 * f.s, f.apex_y + 35 * f.s, -10},
                                         {-8 * f.s, f.apex_y + 60 * f.s, 0}, {-14 * f.s, f.heart_y - 40 * f.s, 0}},
                                        8);
            catheter.radius = 1.2;
            catheter.mu = attenuation::kMetal * 0.15;
            scene.tubes.push_back(std::move(catheter));
            return;
        }
    }
}

}  // namespace

double BodyOutline::halfWidthAt(double y) const {
    if (y < shoulder_y) {
        const double t = smoothstep(neck_y - 15, shoulder_y, y);
        return neck_half_width + (shoulder_half_width - neck_half_width) * t;
    }
    const double t = smoothstep(shoulder_y, chest_y, y);
    return shoulder_half_width + (chest_half_width - shoulder_half_width) * t;
}

double BodyOutline::halfDepthAt(double y) const {
    const double t = smoothstep(neck_y - 15, chest_y, y);
    return chest_half_depth * (0.5 + 0.5 * t);
}

ThoraxScene buildThoraxScene(const PatientIdentity& patient, const Acquisition& acquisition,
                             const Pathology& pathology) {
    const ThoraxShape& sh = patient.shape;
    ThoraxScene scene;
    scene.pathology = pathology;
    const bool ap = acquisition.view == ViewPosition::ap;
    const LungGeometry right = lungGeometry(sh, -1, acquisition.inspiration);
    const LungGeometry left = lungGeometry(sh, 1, acquisition.inspiration);
    const double heart_magnification = ap ? 1.15 : 1.0;
    Frame f{sh, sh.body_scale, right.apex_y, sh.heart_offset_x,
            left.dome_y - 0.45 * sh.heart_half_height * heart_magnification, heart_magnification, ap};

    BodyOutline& body = scene.body;
    body.chest_half_width = sh.chest_half_width;
    body.chest_half_depth = sh.chest_half_depth;
    body.shoulder_half_width = sh.shoulder_half_width;
    body.neck_half_width = 0.36 * sh.chest_half_width;
    body.shoulder_y = f.apex_y + 5 * f.s;
    body.neck_y = f.apex_y - 35 * f.s;
    body.chest_y = f.apex_y + 90 * f.s;

    addMediastinumAndLungs(scene, f, acquisition);
    addSpine(scene, f);
    addRibs(scene, f, acquisition.inspiration);
    addShoulderGirdle(scene, f);
    addVessels(scene, f);
    addSoftTissueExtras(scene, f, acquisition);
    addImplant(scene, patient, f);
    return scene;
}

}  // namespace dpflow
