#include "phantom/phantom.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include "core/rng.hpp"
#include "core/bitmap_font.hpp"

// The image is an attenuation map A(u, v) drawn in "canonical" thorax coordinates
// (u to the image's right, v down, the thorax centred on 0 and about 1 wide), then
// windowed to grey levels like a radiograph: air dark, soft tissue grey, bone and
// consolidation bright. Each pixel is mapped back through the image's pose (shift,
// rotation, scale), so the mask, drawn from the same analytic lung shape at any
// size, always matches the image.
namespace xr::phantom {
namespace {

inline float clamp01(float x) { return x < 0.f ? 0.f : (x > 1.f ? 1.f : x); }
// Hermite step from e0 to e1; e0 > e1 gives the falling step.
inline float smoothstep(float e0, float e1, float x) {
  const float t = clamp01((x - e0) / (e1 - e0));
  return t * t * (3.f - 2.f * t);
}
inline float sq(float x) { return x * x; }

// Smooth random field: a periodic grid of uniform values with smoothed bilinear
// interpolation (value noise). Cheap, and enough for textures at a few scales.
class ValueNoise {
 public:
  ValueNoise(Rng& rng, int n) : n_(n), grid_(static_cast<size_t>(n) * n) {
    for (float& g : grid_) g = static_cast<float>(rng.uniform());
    ox_ = static_cast<float>(rng.uniform(0, n));
    oy_ = static_cast<float>(rng.uniform(0, n));
  }
  float at(float x, float y) const {  // x, y in grid cells
    x += ox_;
    y += oy_;
    const float fx = std::floor(x), fy = std::floor(y);
    const int ix = wrap(static_cast<int>(fx)), iy = wrap(static_cast<int>(fy));
    const int ix1 = ix + 1 == n_ ? 0 : ix + 1, iy1 = iy + 1 == n_ ? 0 : iy + 1;
    float tx = x - fx, ty = y - fy;
    tx = tx * tx * (3.f - 2.f * tx);
    ty = ty * ty * (3.f - 2.f * ty);
    const float a = grid_[iy * n_ + ix], b = grid_[iy * n_ + ix1];
    const float c = grid_[iy1 * n_ + ix], d = grid_[iy1 * n_ + ix1];
    return a + (b - a) * tx + (c - a) * ty + (a - b - c + d) * tx * ty;
  }
  // Ridges (value near 1 along the field's mid-level lines): a net of thin lines.
  float ridge(float x, float y) const { return 1.f - std::fabs(2.f * at(x, y) - 1.f); }

 private:
  int wrap(int i) const {
    i %= n_;
    return i < 0 ? i + n_ : i;
  }
  int n_;
  std::vector<float> grid_;
  float ox_ = 0, oy_ = 0;
};

// One lung field in coordinates mirrored to its side: q = |u| (0 at the midline,
// growing laterally), v down. Apex at v_top; the base is a diaphragm dome, lowest at
// the lateral costophrenic angle; the medial border of the left lung gives way to
// the heart in its lower part.
struct Lung {
  float m = 0.05f;       // medial border's distance from the midline
  float w = 0.3f;        // width at the base
  float v_top = -0.36f;  // apex
  float v_bot = 0.25f;   // costophrenic angle
  float dome = 0.12f;    // height of the diaphragm dome above the angle, medially
  float apex = 0.4f;     // apex position across the width (0 medial, 1 lateral)
  float bulge = 0.f;     // heart's push on the medial border at the base
};

struct LungPoint {
  float d;  // signed distance-like inside-ness: > 0 inside the lung field
  float t;  // height: 0 at the apex, 1 at the base
  float r;  // across: 0 at the medial border, 1 at the lateral one
};

void lung_borders(const Lung& g, float t, float& q_med, float& q_lat) {
  const float tc = clamp01(t);
  const float qa = g.m + g.apex * g.w;
  // Quarter ellipses from the apex: rounded top, lateral border widest at the base.
  q_lat = qa + (g.m + g.w - qa) * std::sqrt(tc * (2.f - tc));
  const float tm = std::min(1.f, tc / 0.3f);
  q_med = qa - (qa - g.m) * std::sqrt(tm * (2.f - tm)) + g.bulge * smoothstep(0.35f, 0.9f, tc);
}

LungPoint eval_lung(const Lung& g, float q, float v) {
  const float t = (v - g.v_top) / (g.v_bot - g.v_top);
  float q_med, q_lat;
  lung_borders(g, t, q_med, q_lat);
  const float rq = clamp01((q - g.m) / g.w);
  const float v_floor = g.v_bot - g.dome * (1.f - rq * rq);
  const float d = std::min(std::min(q - q_med, q_lat - q), std::min(v_floor - v, v - g.v_top));
  const float span = std::max(q_lat - q_med, 1e-4f);
  return {d, t, (q - q_med) / span};
}

// Everything that varies from patient to patient and exposure to exposure.
struct Anatomy {
  float cos_r = 1, sin_r = 0, cx = 0, cy = 0, inv_scale = 1;  // pose
  float body_w = 0.45f;
  std::array<Lung, 2> lung;  // [0] image left (patient's right), [1] image right
  float heart_u = 0, heart_v = 0, heart_rx = 0, heart_ry = 0, heart_amp = 0;
  float tissue = 0.5f, air = 0.35f;  // air: the lungs' darkening at full depth
  float rib_amp = 0, rib_sp = 0, rib_v0 = 0, rib_curve = 0, rib_bend = 0, rib_w = 0, ant_rib_amp = 0;
  int n_ribs = 0;
  float clav_amp = 0, clav_v0 = 0, clav_v1 = 0;
  float spine_amp = 0, spine_w = 0, vert_period = 0, vert_phase = 0;
  float carina_v = 0;
  float mark_amp = 0, hilum_amp = 0;
  std::array<float, 2> hilum_q{}, hilum_v{};
  bool bubble = false;
  float bubble_u = 0, bubble_v = 0;
  float gain = 1, offset = 0, gamma = 1, heel = 0, noise_sigma = 0;
};

Anatomy sample_anatomy(Rng& rng) {
  Anatomy a;
  auto U = [&](double lo, double hi) { return static_cast<float>(rng.uniform(lo, hi)); };
  const float rot = U(-4.0, 4.0) * 3.14159265f / 180.f;
  a.cos_r = std::cos(rot);
  a.sin_r = std::sin(rot);
  a.cx = U(-0.035, 0.035);
  a.cy = U(-0.03, 0.04);
  a.inv_scale = 1.f / U(0.92, 1.06);

  const float v_top = U(-0.40, -0.32), v_bot = U(0.20, 0.30);
  const float m = U(0.04, 0.06), w = U(0.26, 0.32);
  for (int s = 0; s < 2; ++s) {
    Lung& g = a.lung[s];
    g.m = m * U(0.9, 1.1);
    g.w = w * (s == 0 ? U(1.0, 1.06) : U(0.95, 1.0));
    g.v_top = v_top + U(-0.015, 0.015);
    // The right hemidiaphragm (image left) sits higher, over the liver.
    g.v_bot = v_bot - (s == 0 ? U(0.01, 0.04) : 0.f);
    g.dome = U(0.09, 0.15);
    g.apex = U(0.3, 0.45);
    g.bulge = s == 0 ? U(0.0, 0.03) : U(0.06, 0.11);
  }
  const Lung& left = a.lung[1];
  const Lung& right = a.lung[0];
  // Often wider than the frame, as in most real radiographs.
  a.body_w = std::max(left.m + left.w, right.m + right.w) + U(0.07, 0.16);

  // The heart spans from just right of the midline to the left lung's bulge.
  const float heart_l = -(right.m + right.bulge + U(0.01, 0.03));
  const float heart_r = left.m + left.bulge + U(0.0, 0.02);
  a.heart_u = 0.5f * (heart_l + heart_r);
  a.heart_rx = 0.5f * (heart_r - heart_l) + 0.02f;
  a.heart_ry = U(0.14, 0.18);
  // It rests on the diaphragm: its lower edge near the cardiophrenic angle.
  a.heart_v = left.v_bot - left.dome * 0.8f - a.heart_ry * 0.7f;
  a.heart_amp = U(0.015, 0.035);

  a.tissue = U(0.42, 0.50);
  a.air = U(0.22, 0.27);

  a.rib_sp = U(0.058, 0.07);
  a.rib_v0 = v_top - U(0.02, 0.05);
  a.n_ribs = static_cast<int>(std::ceil((v_bot + 0.04f - a.rib_v0) / a.rib_sp));
  a.rib_curve = U(0.14, 0.24);
  a.rib_bend = U(0.06, 0.12);
  a.rib_w = U(0.36, 0.46);
  a.rib_amp = U(0.06, 0.09);
  a.ant_rib_amp = a.rib_amp * U(0.25, 0.45);
  a.clav_amp = U(0.04, 0.07);
  a.clav_v0 = v_top + U(0.0, 0.04);
  a.clav_v1 = a.clav_v0 - U(0.04, 0.09);
  a.spine_amp = U(0.025, 0.045);
  a.spine_w = U(0.034, 0.042);
  a.vert_period = U(0.045, 0.055);
  a.vert_phase = U(0.0, 1.0);
  a.carina_v = v_top + (v_bot - v_top) * U(0.25, 0.32);

  a.mark_amp = U(0.035, 0.06);
  a.hilum_amp = U(0.03, 0.06);
  for (int s = 0; s < 2; ++s) {
    const Lung& g = a.lung[s];
    a.hilum_q[s] = g.m + g.bulge * 0.3f + U(0.03, 0.06);
    a.hilum_v[s] = g.v_top + (g.v_bot - g.v_top) * U(0.42, 0.52);
  }
  a.bubble = rng.uniform() < 0.6;
  a.bubble_u = U(0.12, 0.22);
  a.bubble_v = left.v_bot + U(0.03, 0.07);

  a.gain = U(1.35, 1.65);
  a.offset = U(-0.04, 0.06);
  a.gamma = U(0.85, 1.2);
  a.heel = U(-0.08, 0.08);
  a.noise_sigma = U(1.5, 6.0);
  return a;
}

struct Blob {
  int side;
  float q, v, sigma, amp;
};

// The finding of one image, scaled by its severity and the difficulty.
struct Findings {
  Finding kind = Finding::kNormal;
  float strength = 0;
  std::vector<Blob> blobs;                                    // COVID
  int side = 0;                                               // Lung_Opacity
  bool lower = true;
  float lobe_t0 = 0.5f, lobe_slope = 0, dense_amp = 0;
  float hilum_sigma = 0.1f, retic_amp = 0, haze_amp = 0;      // Viral Pneumonia
};

Findings sample_findings(Finding kind, const Anatomy& a, double difficulty, Rng& rng) {
  Findings f;
  auto U = [&](double lo, double hi) { return static_cast<float>(rng.uniform(lo, hi)); };
  f.kind = kind;
  // Severity varies from barely visible to florid; difficulty scales all of it.
  f.strength = U(0.3, 1.0) * static_cast<float>(1.5 - 1.2 * difficulty);
  switch (kind) {
    case Finding::kCovid: {
      // Bilateral, peripheral (lateral third), lower zones.
      for (int s = 0; s < 2; ++s) {
        const int n = 2 + static_cast<int>(rng.below(3));
        for (int i = 0; i < n; ++i) {
          const Lung& g = a.lung[s];
          const float t = U(0.5, 0.95), r = U(0.6, 0.98);
          float q_med, q_lat;
          lung_borders(g, t, q_med, q_lat);
          f.blobs.push_back({s, q_med + r * (q_lat - q_med), g.v_top + t * (g.v_bot - g.v_top),
                             U(0.035, 0.065), U(0.35, 0.6)});
        }
      }
      break;
    }
    case Finding::kLungOpacity:
      f.side = static_cast<int>(rng.below(2));
      f.lower = rng.uniform() < 0.65;
      f.lobe_t0 = f.lower ? U(0.45, 0.65) : U(0.35, 0.5);
      f.lobe_slope = U(-0.25, 0.25);
      f.dense_amp = U(0.55, 0.85);
      break;
    case Finding::kViralPneumonia:
      f.hilum_sigma = U(0.10, 0.14);
      f.retic_amp = U(0.45, 0.7);
      f.haze_amp = U(0.08, 0.14);
      break;
    case Finding::kNormal:
      f.strength = 0;
      break;
  }
  return f;
}

struct Fields {
  ValueNoise vessels, patches, reticular, tissue, reticular2;
  explicit Fields(Rng& rng)
      : vessels(rng, 64), patches(rng, 32), reticular(rng, 64), tissue(rng, 16), reticular2(rng, 64) {}
};

// Attenuation at canonical point (u, v): 0 is air outside the body.
float attenuation(const Anatomy& a, const Findings& f, const Fields& fields, float u, float v) {
  const int side = u < 0.f ? 0 : 1;
  const float q = std::fabs(u);
  // Shoulders above, the waist below.
  const float bw = a.body_w * (1.f + 0.12f * smoothstep(-0.15f, -0.5f, v) - 0.08f * smoothstep(0.15f, 0.55f, v));
  const float xr = u / bw;
  if (xr * xr >= 1.f) return 0.f;
  const float thick = std::sqrt(1.f - xr * xr);  // path length through an elliptic body
  // Uneven soft tissue (fat, muscle, breasts) at a scale of a few centimetres.
  const float lumpy = 0.9f + 0.2f * fields.tissue.at(u * 4.f, v * 4.f);
  float A = a.tissue * lumpy * (0.2f + 0.8f * thick) * smoothstep(0.f, 0.012f, bw - q);

  // Lung air, with a soft border; findings stop at the pleura.
  const Lung& g = a.lung[side];
  const LungPoint lp = eval_lung(g, q, v);
  const float air_w = smoothstep(-0.006f, 0.03f, lp.d);
  A -= a.air * air_w * (0.85f + 0.15f * smoothstep(0.f, 0.08f, lp.d));

  // Posterior ribs: arcs from the spine, rising slightly, then curving down laterally.
  // Over soft tissue they show much less than over the air of the lungs.
  const float lateral_fade = smoothstep(bw + 0.01f, bw - 0.06f, q) * (0.2f + 0.8f * air_w);
  if (q > 0.02f && lateral_fade > 0.f) {
    const float qn = q / 0.45f;
    const float qn3 = qn * qn * qn;
    const float ph = (v - (a.rib_curve * qn * qn + a.rib_bend * qn3 * qn3 - 0.04f * qn) - a.rib_v0) / a.rib_sp;
    const float k = std::floor(ph);
    if (k >= 0.f && k < static_cast<float>(a.n_ribs)) {
      const float fr = ph - k;
      // Brighter cortical margins, as a tube of bone projects.
      const float band = smoothstep(0.f, 0.12f, fr) * smoothstep(a.rib_w, a.rib_w - 0.12f, fr);
      const float edge = band * (1.f - smoothstep(0.06f, 0.16f, std::min(fr, a.rib_w - fr)));
      A += a.rib_amp * (0.8f * band + 0.3f * edge) * smoothstep(0.02f, 0.07f, q) * lateral_fade;
    }
    // Anterior ribs: fainter, sloping down towards the midline, not seen medially.
    const float pa = (v - 0.16f * (1.f - qn) - a.rib_v0 - 0.5f * a.rib_sp) / (a.rib_sp * 1.15f);
    const float ka = std::floor(pa);
    if (ka >= 1.f && ka < static_cast<float>(a.n_ribs) - 2.f) {
      const float fr = pa - ka;
      const float band = smoothstep(0.f, 0.08f, fr) * smoothstep(0.34f, 0.26f, fr);
      A += a.ant_rib_amp * band * smoothstep(0.12f, 0.2f, q) * lateral_fade;
    }
  }

  // Clavicles: from the sternal end up and out to the shoulder.
  // A gentle S along the way; the vertical distance to the curve stands in for the
  // true one, the curve being nearly horizontal.
  if (q > 0.04f && q < 0.47f) {
    const float s = (q - 0.05f) / 0.39f;
    const float vc = a.clav_v0 + (a.clav_v1 - a.clav_v0) * s - 0.01f * std::sin(6.2831853f * s);
    A += a.clav_amp * smoothstep(0.018f, 0.009f, std::fabs(v - vc)) * smoothstep(0.04f, 0.06f, q) *
         smoothstep(0.47f, 0.38f, q);
  }

  // Spine: vertebral bodies with darker disc spaces; trachea as a dark band above the carina.
  if (q < a.spine_w) {
    float fv = (v / a.vert_period) + a.vert_phase;
    fv -= std::floor(fv);
    const float body = smoothstep(0.f, 0.15f, fv) * smoothstep(1.f, 0.85f, fv);
    A += a.spine_amp * smoothstep(a.spine_w, a.spine_w - 0.012f, q) * (0.7f + 0.3f * body);
  }
  A -= 0.05f * smoothstep(0.022f, 0.012f, q) * smoothstep(a.carina_v + 0.02f, a.carina_v - 0.02f, v);

  // Heart.
  const float eh = sq((u - a.heart_u) / a.heart_rx) + sq((v - a.heart_v) / a.heart_ry);
  A += a.heart_amp * smoothstep(1.06f, 0.9f, eh) * smoothstep(a.heart_v + a.heart_ry, a.heart_v + 0.3f * a.heart_ry, v);

  // Gastric air bubble under the left hemidiaphragm.
  if (a.bubble) {
    const float eb = sq((u - a.bubble_u) / 0.045f) + sq((v - a.bubble_v) / 0.028f);
    A -= 0.12f * smoothstep(1.1f, 0.7f, eb);
  }

  // Hila and vessel markings, denser near the hila.
  const float dh2 = sq(q - a.hilum_q[side]) + sq(v - a.hilum_v[side]);
  A += a.hilum_amp * std::exp(-dh2 * (1.f / (2.f * 0.045f * 0.045f))) * air_w;
  if (air_w > 0.f) {
    const float rv = fields.vessels.ridge((0.707f * u - 0.707f * v) * 14.f, (0.707f * u + 0.707f * v) * 14.f);
    const float near_hilum = std::exp(-dh2 * (1.f / (2.f * 0.16f * 0.16f)));
    A += a.mark_amp * air_w * sq(sq(rv)) * (0.35f + 0.65f * near_hilum);
  }

  // A finding fills air spaces with fluid or cells: it takes back part of the air's
  // darkening (never more), so it stops at the pleura and cannot outshine tissue.
  if (air_w <= 0.f || f.strength <= 0.f) return A;
  float opacity = 0.f;
  switch (f.kind) {
    case Finding::kCovid: {
      float sum = 0.f;
      for (const Blob& b : f.blobs) {
        if (b.side != side) continue;
        const float d2 = sq(q - b.q) + sq(v - b.v);
        sum += b.amp * std::exp(-d2 / (2.f * b.sigma * b.sigma));
      }
      // Patchy, hazy: ground glass does not hide the ribs and vessels.
      if (sum > 1e-4f) opacity = sum * (0.45f + 1.1f * fields.patches.at(u * 10.f, v * 10.f));
      break;
    }
    case Finding::kLungOpacity: {
      if (side != f.side) break;
      const float x = lp.t - (f.lobe_t0 + f.lobe_slope * (lp.r - 0.5f));
      const float lobe = f.lower ? smoothstep(-0.05f, 0.05f, x) : smoothstep(0.05f, -0.05f, x);
      opacity = f.dense_amp * lobe * (0.8f + 0.4f * fields.patches.at(u * 7.f, v * 7.f));
      break;
    }
    case Finding::kViralPneumonia: {
      const float w = std::exp(-dh2 / (2.f * f.hilum_sigma * f.hilum_sigma));
      // Two nets of ridges on axes turned 30 and -40 degrees: a lattice of thin lines
      // without the grid alignment of a single value-noise field.
      const float r1 = fields.reticular.ridge((0.866f * u - 0.5f * v) * 36.f, (0.5f * u + 0.866f * v) * 36.f);
      const float r2 = fields.reticular2.ridge((0.766f * u + 0.643f * v) * 30.f, (-0.643f * u + 0.766f * v) * 30.f);
      const float rr = std::max(r1, r2);
      opacity = w * (f.retic_amp * sq(sq(rr)) + f.haze_amp);
      break;
    }
    case Finding::kNormal:
      break;
  }
  return A + a.air * air_w * std::min(0.95f, f.strength * opacity);
}

// Maps pixel (x, y) of an n x n raster to canonical coordinates through the pose.
inline void to_canonical(const Anatomy& a, int x, int y, int n, float& u, float& v) {
  const float px = (static_cast<float>(x) + 0.5f) / static_cast<float>(n) - 0.5f - a.cx;
  const float py = (static_cast<float>(y) + 0.5f) / static_cast<float>(n) - 0.5f - a.cy;
  u = (a.cos_r * px + a.sin_r * py) * a.inv_scale;
  v = (-a.sin_r * px + a.cos_r * py) * a.inv_scale;
}

GrayImage render_mask(const Anatomy& a, int n) {
  GrayImage mask(n, n, 0);
  for (int y = 0; y < n; ++y) {
    for (int x = 0; x < n; ++x) {
      float u, v;
      to_canonical(a, x, y, n, u, v);
      if (eval_lung(a.lung[u < 0.f ? 0 : 1], std::fabs(u), v).d > 0.f) mask.at(x, y) = 255;
    }
  }
  return mask;
}

// Burnt-in annotations as real radiographs have them: a side marker, a label line,
// sometimes a round lead marker. Placed in the corners, away from the lungs.
void draw_markers(GrayImage& img, Rng& rng) {
  const int n = img.width;
  const int scale = std::max(1, static_cast<int>(std::lround(n / 110.0)));
  const uint8_t bright = static_cast<uint8_t>(225 + rng.below(31));
  const bool right = rng.uniform() < 0.5;
  const std::string side = rng.uniform() < 0.5 ? "R" : "L";
  const int big = 2 * scale;
  const int sx = right ? n - text_width(side, big) - static_cast<int>(rng.uniform(0.02, 0.08) * n)
                       : static_cast<int>(rng.uniform(0.02, 0.08) * n);
  draw_text(img, sx, static_cast<int>(rng.uniform(0.02, 0.08) * n), side, big, bright);
  if (rng.uniform() < 0.6) {
    static const char* const kLabels[] = {"PORTABLE", "AP", "PA", "SUPINE", "ERECT", "AP SUPINE"};
    std::string label = kLabels[rng.below(6)];
    if (rng.uniform() < 0.4) {
      label = std::to_string(1 + rng.below(28)) + "/" + std::to_string(1 + rng.below(12)) + "/2020";
    }
    const int lx = right ? static_cast<int>(0.03 * n) : n - text_width(label, scale) - static_cast<int>(0.03 * n);
    const int ly = rng.uniform() < 0.5 ? static_cast<int>(0.03 * n) : n - 9 * scale - static_cast<int>(0.03 * n);
    draw_text(img, lx, ly, label, scale, bright);
  }
  if (rng.uniform() < 0.3) {  // a round marker in a lower corner
    const float r = static_cast<float>(n) * 0.025f;
    const float cx = static_cast<float>(rng.uniform() < 0.5 ? 0.08 * n : 0.92 * n);
    const float cy = static_cast<float>(rng.uniform(0.75, 0.9) * n);
    for (int y = std::max(0, static_cast<int>(cy - r - 1)); y < std::min(n, static_cast<int>(cy + r + 2)); ++y) {
      for (int x = std::max(0, static_cast<int>(cx - r - 1)); x < std::min(n, static_cast<int>(cx + r + 2)); ++x) {
        if (sq(static_cast<float>(x) + 0.5f - cx) + sq(static_cast<float>(y) + 0.5f - cy) <= r * r) {
          img.at(x, y) = bright;
        }
      }
    }
  }
}

// Sub-streams of an image's seed.
enum Stream : uint64_t { kAnatomy = 0, kFindings = 1, kTexture = 2, kNoise = 3, kMarkers = 4 };

}  // namespace

const std::vector<std::string>& class_names() {
  static const std::vector<std::string> kNames = {"COVID", "Lung_Opacity", "Normal", "Viral Pneumonia"};
  return kNames;
}

int class_index(const std::string& name) {
  const auto& names = class_names();
  const auto it = std::find(names.begin(), names.end(), name);
  return it == names.end() ? -1 : static_cast<int>(it - names.begin());
}

uint64_t image_seed(uint64_t seed, int class_idx, int64_t index) {
  return derive_seed(derive_seed(seed, 0x100 + static_cast<uint64_t>(class_idx)), static_cast<uint64_t>(index));
}

Phantom render_phantom(Finding finding, uint64_t seed, const RenderOptions& options, bool with_mask) {
  const int n = options.size;
  Rng anatomy_rng(derive_seed(seed, kAnatomy));
  Rng findings_rng(derive_seed(seed, kFindings));
  Rng texture_rng(derive_seed(seed, kTexture));
  Rng noise_rng(derive_seed(seed, kNoise));
  Rng marker_rng(derive_seed(seed, kMarkers));
  const Anatomy a = sample_anatomy(anatomy_rng);
  const Findings f = sample_findings(finding, a, options.difficulty, findings_rng);
  const Fields fields(texture_rng);

  // Window and gamma through a table: pow() per pixel would dominate the time.
  constexpr int kLevels = 4096;
  std::array<float, kLevels> lut;
  for (int i = 0; i < kLevels; ++i) {
    lut[i] = 255.f * std::pow(static_cast<float>(i) / (kLevels - 1), a.gamma);
  }

  Phantom out;
  out.image = GrayImage(n, n);
  for (int y = 0; y < n; ++y) {
    for (int x = 0; x < n; ++x) {
      float u, v;
      to_canonical(a, x, y, n, u, v);
      const float A = attenuation(a, f, fields, u, v);
      // Exposure falls off along the tube axis (heel effect).
      const float level = clamp01((a.offset + a.gain * A) * (1.f + a.heel * v));
      // Near-Gaussian noise: the sum of four 16-bit uniforms of one 64-bit draw.
      const uint64_t r = noise_rng.next();
      const float s4 = static_cast<float>((r & 0xFFFF) + ((r >> 16) & 0xFFFF) + ((r >> 32) & 0xFFFF) + (r >> 48));
      const float z = (s4 * (1.f / 65536.f) - 2.f) * 1.7320508f;
      const float g = lut[static_cast<int>(level * (kLevels - 1) + 0.5f)] + a.noise_sigma * z;
      out.image.at(x, y) = static_cast<uint8_t>(std::lround(std::min(255.f, std::max(0.f, g))));
    }
  }
  if (marker_rng.uniform() < options.marker_fraction) {
    draw_markers(out.image, marker_rng);
    out.marked = true;
  }
  if (with_mask) out.mask = render_mask(a, options.mask_size > 0 ? options.mask_size : n);
  return out;
}

}  // namespace xr::phantom
