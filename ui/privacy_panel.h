#pragma once

#include "flow/flow_config.h"
#include "preview/preview_request.h"
#include "preview/true_attributes.h"
#include "preview/preview_result.h"

#include <QWidget>

#include <optional>
#include <vector>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QGridLayout;
class QGroupBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSlider;
class QSpinBox;

namespace dpflow::ui {

/// The privacy controls: eps on a logarithmic slider with a typed value, the noise scale b,
/// sensitivity Delta and eps_total with its parts beside it, the mechanism, one row per model
/// attribute (true value, keep / protect, eps_k), the M5 safeguard with its verdict on the
/// shown draw, "New noise draw", the device and the last decode time. Emits requestChanged
/// whenever the request it describes changes; it never talks to the engine itself.
class PrivacyPanel : public QWidget {
    Q_OBJECT

public:
    explicit PrivacyPanel(QWidget* parent = nullptr);

    /// One row per attribute (replaces previous rows); every attribute starts kept.
    void setModelAttributes(const std::vector<FlowAttribute>& attributes);
    /// Shows the image's true attribute values (values the model does not know are ignored).
    /// Shows each attribute's true value and where it came from; an attribute whose value nothing
    /// states is shown as "unknown" (true_attributes.h).
    void setTrueAttributes(const std::vector<TrueAttribute>& truth);
    /// The true values the user has set or that were found; unknown attributes are absent.
    AttributeValues trueAttributes() const;
    /// The attributes still shown as unknown, in model order.
    std::vector<std::string> unknownTrueAttributes() const;

    /// The request the controls describe (serial and time are the worker's).
    PreviewRequest request() const;

    double epsilon() const { return epsilon_; }
    /// Moves the slider and the typed value to `epsilon` (clamped to the mechanism's range).
    void setEpsilon(double epsilon);
    void setMechanism(PrivacyMechanism mechanism);
    /// Sets keep / protect (with eps_k) of one attribute, as the user would.
    void setAttributeTreatment(const std::string& name, bool protect, double epsilon);
    /// Switches the M5 safeguard on with `settings` (tries only matter for resample), or off
    /// with nullopt, as the user would; emits requestChanged once.
    void setSafeguard(const std::optional<SafeguardSettings>& settings);

    /// Shows the accounting and timing of a preview, and the safeguard's verdict on its draw
    /// (nearest reference distance against tau, released or withheld on export) beside the
    /// safeguard settings; the verdict is cleared when the request had no safeguard.
    void showResult(const PreviewResult& result);
    /// Shows a refused request's reason where the figures would be (and clears the verdict).
    void showError(const QString& message);

    void setDevice(const QString& device, const QString& model_name);

    /// Slider range (log10 eps) of a mechanism: where its noise goes from overwhelming to invisible.
    static std::pair<double, double> epsilonRange(PrivacyMechanism mechanism);

signals:
    void requestChanged();
    void trueAttributesChanged();
    void epsilonChanged(double epsilon);
    void newNoiseDrawRequested();

private:
    struct AttributeRow {
        std::string name;
        QComboBox* truth = nullptr;
        QComboBox* treatment = nullptr;
        QDoubleSpinBox* epsilon = nullptr;
    };
    void onSliderMoved(int position);
    void onEpsilonTyped();
    void updateEpsilonControls();
    void showSafeguardVerdict(const std::optional<SafeguardVerdict>& verdict);

    double epsilon_ = 1e5;
    QComboBox* mechanism_ = nullptr;
    QSlider* slider_ = nullptr;
    QLineEdit* epsilon_edit_ = nullptr;
    QLabel* range_label_ = nullptr;
    QLabel* scale_label_ = nullptr;
    QLabel* sensitivity_label_ = nullptr;
    QLabel* total_label_ = nullptr;
    QLabel* parts_label_ = nullptr;
    QLabel* clip_label_ = nullptr;
    QGridLayout* attribute_grid_ = nullptr;
    std::vector<AttributeRow> rows_;
    QGroupBox* safeguard_ = nullptr;
    QLineEdit* reference_ = nullptr;
    QDoubleSpinBox* tau_ = nullptr;
    QComboBox* policy_ = nullptr;
    QSpinBox* tries_ = nullptr;
    QCheckBox* reference_public_ = nullptr;
    QLabel* verdict_label_ = nullptr;
    QLabel* device_label_ = nullptr;
    QLabel* decode_label_ = nullptr;
};

}  // namespace dpflow::ui
