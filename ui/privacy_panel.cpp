#include "privacy_panel.h"


#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QDoubleValidator>
#include <QFileDialog>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSlider>
#include <QSpinBox>
#include <QVBoxLayout>

#include <algorithm>

#include <cmath>

namespace dpflow::ui {
namespace {

constexpr int kSliderSteps = 1000;

QString number(double value) { return QString::number(value, 'g', 6); }

// Rich text for a warning the user must not miss.
QString red(const QString& text) { return "<span style='color:#c33'>" + text.toHtmlEscaped() + "</span>"; }

}  // namespace

std::pair<double, double> PrivacyPanel::epsilonRange(PrivacyMechanism mechanism) {
    switch (mechanism) {
        case PrivacyMechanism::DpGlow:
        case PrivacyMechanism::Cadp:
        case PrivacyMechanism::Allocated: return {0.0, 8.0};   // Delta ~ 1e5: noise ~ signal near eps 1e5
        case PrivacyMechanism::Pixel: return {0.0, 7.0};  // Delta = H*W
        case PrivacyMechanism::DpPix: return {-2.0, 4.0}; // Delta = m / cell^2, about 1
    }
    return {0.0, 8.0};
}

PrivacyPanel::PrivacyPanel(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);

    auto* mechanism_form = new QFormLayout;
    mechanism_ = new QComboBox(this);
    mechanism_->setObjectName("mechanism-combo");
    for (auto m : {PrivacyMechanism::DpGlow, PrivacyMechanism::Cadp, PrivacyMechanism::Pixel, PrivacyMechanism::DpPix,
                   PrivacyMechanism::Allocated})
        mechanism_->addItem(QString::fromStdString(mechanismName(m)), static_cast<int>(m));
    mechanism_->setToolTip(tr("dpglow: latent Laplace, box clip (calibrated bounds)\ncadp: latent Laplace, per-image L1 clip\n"
                              "pixel: Laplace on every pixel\ndppix: pixelisation (Fan 2018)\n"
                              "allocated: dpglow with the budget split over latent groups by the model's allocation file "
                              "(MODEL.allocation.json, from public data)"));
    mechanism_form->addRow(tr("Mechanism"), mechanism_);
    layout->addLayout(mechanism_form);

    auto* eps_box = new QGroupBox(tr("Privacy budget"), this);
    auto* eps_layout = new QGridLayout(eps_box);
    slider_ = new QSlider(Qt::Horizontal, eps_box);
    slider_->setObjectName("epsilon-slider");
    slider_->setRange(0, kSliderSteps);
    epsilon_edit_ = new QLineEdit(eps_box);
    epsilon_edit_->setObjectName("epsilon-edit");
    epsilon_edit_->setValidator(new QDoubleValidator(1e-6, 1e12, 6, epsilon_edit_));
    epsilon_edit_->setMaximumWidth(110);
    range_label_ = new QLabel(eps_box);
    scale_label_ = new QLabel(eps_box);
    scale_label_->setObjectName("noise-scale-label");
    sensitivity_label_ = new QLabel(eps_box);
    sensitivity_label_->setObjectName("sensitivity-label");
    total_label_ = new QLabel(eps_box);
    total_label_->setObjectName("epsilon-total-label");
    parts_label_ = new QLabel(eps_box);
    parts_label_->setObjectName("epsilon-parts-label");
    parts_label_->setWordWrap(true);
    parts_label_->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    clip_label_ = new QLabel(eps_box);
    eps_layout->addWidget(new QLabel(tr("eps"), eps_box), 0, 0);
    eps_layout->addWidget(slider_, 0, 1);
    eps_layout->addWidget(epsilon_edit_, 0, 2);
    eps_layout->addWidget(range_label_, 1, 1, 1, 2);
    eps_layout->addWidget(new QLabel(tr("noise b"), eps_box), 2, 0);
    eps_layout->addWidget(scale_label_, 2, 1, 1, 2);
    eps_layout->addWidget(new QLabel(tr("Delta"), eps_box), 3, 0);
    eps_layout->addWidget(sensitivity_label_, 3, 1, 1, 2);
    eps_layout->addWidget(new QLabel(tr("eps total"), eps_box), 4, 0);
    eps_layout->addWidget(total_label_, 4, 1, 1, 2);
    eps_layout->addWidget(parts_label_, 5, 0, 1, 3);
    eps_layout->addWidget(clip_label_, 6, 0, 1, 3);
    layout->addWidget(eps_box);

    auto* attribute_box = new QGroupBox(tr("Attributes (true value, keep / protect, eps_k)"), this);
    attribute_grid_ = new QGridLayout(attribute_box);
    layout->addWidget(attribute_box);

    safeguard_ = new QGroupBox(tr("Nearest-neighbour safeguard (M5)"), this);
    safeguard_->setCheckable(true);
    safeguard_->setObjectName("safeguard-group");
    safeguard_->setChecked(false);
    auto* safeguard_form = new QFormLayout(safeguard_);
    auto* reference_row = new QHBoxLayout;
    reference_ = new QLineEdit(safeguard_);
    reference_->setObjectName("safeguard-reference-edit");
    reference_->setPlaceholderText(tr("reference manifest (CSV)"));
    auto* browse = new QPushButton(tr("..."), safeguard_);
    reference_row->addWidget(reference_);
    reference_row->addWidget(browse);
    safeguard_form->addRow(tr("Reference set"), reference_row);
    tau_ = new QDoubleSpinBox(safeguard_);
    tau_->setObjectName("safeguard-tau");
    tau_->setRange(0.0, 10.0);
    tau_->setDecimals(3);
    tau_->setSingleStep(0.05);
    tau_->setValue(0.3);
    safeguard_form->addRow(tr("tau (RMS)"), tau_);
    policy_ = new QComboBox(safeguard_);
    policy_->setObjectName("safeguard-policy");
    policy_->addItems({"withhold", "resample"});
    safeguard_form->addRow(tr("Policy"), policy_);
    tries_ = new QSpinBox(safeguard_);
    tries_->setObjectName("safeguard-tries");
    tries_->setRange(1, 20);
    tries_->setValue(3);
    safeguard_form->addRow(tr("Tries (resample)"), tries_);
    reference_public_ = new QCheckBox(tr("Reference set is public"), safeguard_);
    reference_public_->setObjectName("safeguard-public");
    safeguard_form->addRow(reference_public_);
    verdict_label_ = new QLabel(safeguard_);
    verdict_label_->setObjectName("safeguard-verdict-label");
    verdict_label_->setWordWrap(true);
    verdict_label_->setToolTip(tr("The safeguard measured on the preview's fixed noise draw, against the same reference set "
                                  "and distance as export. Export draws fresh noise, so its distance differs by that draw."));
    safeguard_form->addRow(verdict_label_);
    layout->addWidget(safeguard_);

    auto* draw = new QPushButton(tr("New noise draw"), this);
    draw->setObjectName("new-noise-draw");
    draw->setToolTip(tr("The preview reuses one secure noise draw scaled by b, so moving the slider does not flicker. "
                        "Exports always draw fresh noise."));
    layout->addWidget(draw);
    device_label_ = new QLabel(this);
    device_label_->setObjectName("device-label");
    decode_label_ = new QLabel(tr("decode: -"), this);
    decode_label_->setObjectName("decode-time-label");
    layout->addWidget(device_label_);
    layout->addWidget(decode_label_);
    layout->addStretch(1);

    connect(mechanism_, &QComboBox::currentIndexChanged, this, [this] {
        updateEpsilonControls();
        emit requestChanged();
    });
    connect(slider_, &QSlider::valueChanged, this, &PrivacyPanel::onSliderMoved);
    connect(epsilon_edit_, &QLineEdit::editingFinished, this, &PrivacyPanel::onEpsilonTyped);
    connect(draw, &QPushButton::clicked, this, &PrivacyPanel::newNoiseDrawRequested);
    connect(safeguard_, &QGroupBox::toggled, this, [this](bool on) {
        if (!on) verdict_label_->clear();  // no preview may follow (no image open) to clear it
        emit requestChanged();
    });
    connect(tau_, &QDoubleSpinBox::valueChanged, this, &PrivacyPanel::requestChanged);
    connect(policy_, &QComboBox::currentIndexChanged, this, &PrivacyPanel::requestChanged);
    connect(tries_, &QSpinBox::valueChanged, this, &PrivacyPanel::requestChanged);
    connect(reference_public_, &QCheckBox::toggled, this, &PrivacyPanel::requestChanged);
    connect(reference_, &QLineEdit::editingFinished, this, &PrivacyPanel::requestChanged);
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Reference manifest"), {}, tr("Manifests (*.csv)"));
        if (!path.isEmpty()) {
            reference_->setText(path);
            emit requestChanged();
        }
    });
    updateEpsilonControls();
}

void PrivacyPanel::setModelAttributes(const std::vector<FlowAttribute>& attributes) {
    rows_.clear();
    while (QLayoutItem* item = attribute_grid_->takeAt(0)) {
        delete item->widget();
        delete item;
    }
    int line = 0;
    for (const auto& attribute : attributes) {
        AttributeRow row;
        row.name = attribute.name;
        const QString name = QString::fromStdString(attribute.name);
        row.truth = new QComboBox(this);
        row.truth->setObjectName("attribute-truth-" + name);
        row.truth->setToolTip(tr("True value of %1 (from the study's manifest, else the DICOM header); the image is encoded under it").arg(name));
        for (const auto& value : attribute.values) row.truth->addItem(QString::fromStdString(value), QString::fromStdString(value));
        row.truth->addItem(tr("unknown"));  // no data: nothing states the value
        row.treatment = new QComboBox(this);
        row.treatment->setObjectName("attribute-treatment-" + name);
        row.treatment->addItems({tr("keep"), tr("protect")});
        row.epsilon = new QDoubleSpinBox(this);
        row.epsilon->setObjectName("attribute-epsilon-" + name);
        row.epsilon->setRange(0.0, 50.0);
        row.epsilon->setDecimals(2);
        row.epsilon->setValue(1.0);
        row.epsilon->setEnabled(false);
        row.epsilon->setToolTip(tr("eps_k of randomized response; 0 draws from the prior"));
        attribute_grid_->addWidget(new QLabel(name, this), line, 0);
        attribute_grid_->addWidget(row.truth, line, 1);
        attribute_grid_->addWidget(row.treatment, line, 2);
        attribute_grid_->addWidget(row.epsilon, line, 3);
        QDoubleSpinBox* epsilon = row.epsilon;
        connect(row.treatment, &QComboBox::currentIndexChanged, this, [this, epsilon](int index) {
            epsilon->setEnabled(index == 1);
            emit requestChanged();
        });
        connect(row.epsilon, &QDoubleSpinBox::valueChanged, this, &PrivacyPanel::requestChanged);
        connect(row.truth, &QComboBox::currentIndexChanged, this, &PrivacyPanel::trueAttributesChanged);
        rows_.push_back(row);
        ++line;
    }
}

void PrivacyPanel::setTrueAttributes(const std::vector<TrueAttribute>& truth) {
    for (auto& row : rows_) {
        const auto found = std::find_if(truth.begin(), truth.end(), [&](const TrueAttribute& t) { return t.name == row.name; });
        const bool known = found != truth.end() && found->value;
        const int index = known ? row.truth->findData(QString::fromStdString(*found->value)) : row.truth->count() - 1;
        const QSignalBlocker block(row.truth);
        row.truth->setCurrentIndex(index < 0 ? row.truth->count() - 1 : index);
        row.truth->setToolTip(known ? tr("True value of %1, from the %2").arg(QString::fromStdString(row.name),
                                                                          QString::fromStdString(found->source))
                                    : tr("Neither the manifest nor the DICOM header states %1: set it before export")
                                          .arg(QString::fromStdString(row.name)));
    }
}

AttributeValues PrivacyPanel::trueAttributes() const {
    AttributeValues truth;
    for (const auto& row : rows_)
        if (row.truth->currentData().isValid()) truth[row.name] = row.truth->currentData().toString().toStdString();
    return truth;
}

std::vector<std::string> PrivacyPanel::unknownTrueAttributes() const {
    std::vector<std::string> unknown;
    for (const auto& row : rows_)
        if (!row.truth->currentData().isValid()) unknown.push_back(row.name);
    return unknown;
}

PreviewRequest PrivacyPanel::request() const {
    PreviewRequest request;
    request.settings.mechanism.mechanism = static_cast<PrivacyMechanism>(mechanism_->currentData().toInt());
    request.settings.mechanism.epsilon = epsilon_;
    for (const auto& row : rows_) request.settings.attributes.push_back({row.name, row.treatment->currentIndex() == 1, row.treatment->currentIndex() == 1 ? row.epsilon->value() : 0.0});
    if (safeguard_->isChecked() && !reference_->text().isEmpty()) {
        SafeguardSettings s;
        s.reference_manifest = reference_->text().toStdString();
        s.tau = tau_->value();
        s.policy = policy_->currentIndex() == 0 ? SafeguardPolicy::Withhold : SafeguardPolicy::Resample;
        s.tries = s.policy == SafeguardPolicy::Withhold ? 1 : tries_->value();
        s.reference_public = reference_public_->isChecked();
        request.settings.safeguard = s;
    }
    return request;
}

void PrivacyPanel::setEpsilon(double epsilon) {
    const auto [low, high] = epsilonRange(request().settings.mechanism.mechanism);
    epsilon_ = std::clamp(epsilon, std::pow(10.0, low), std::pow(10.0, high));
    {
        const QSignalBlocker block(slider_);
        slider_->setValue(static_cast<int>(std::lround((std::log10(epsilon_) - low) / (high - low) * kSliderSteps)));
    }
    epsilon_edit_->setText(number(epsilon_));
    emit epsilonChanged(epsilon_);
    emit requestChanged();
}

void PrivacyPanel::setMechanism(PrivacyMechanism mechanism) { mechanism_->setCurrentIndex(mechanism_->findData(static_cast<int>(mechanism))); }

void PrivacyPanel::setAttributeTreatment(const std::string& name, bool protect, double epsilon) {
    for (auto& row : rows_) {
        if (row.name != name) continue;
        {
            const QSignalBlocker block(row.epsilon);
            row.epsilon->setValue(epsilon);
        }
        row.treatment->setCurrentIndex(protect ? 1 : 0);
        emit requestChanged();
    }
}

void PrivacyPanel::setSafeguard(const std::optional<SafeguardSettings>& settings) {
    {
        const QSignalBlocker blocks[] = {QSignalBlocker(safeguard_), QSignalBlocker(reference_), QSignalBlocker(tau_),
                                         QSignalBlocker(policy_), QSignalBlocker(tries_), QSignalBlocker(reference_public_)};
        safeguard_->setChecked(settings.has_value());
        if (settings) {
            reference_->setText(QString::fromStdString(settings->reference_manifest.string()));
            tau_->setValue(settings->tau);
            policy_->setCurrentIndex(settings->policy == SafeguardPolicy::Withhold ? 0 : 1);
            tries_->setValue(settings->tries);
            reference_public_->setChecked(settings->reference_public);
        } else {
            verdict_label_->clear();
        }
    }
    emit requestChanged();
}

void PrivacyPanel::onSliderMoved(int position) {
    const auto [low, high] = epsilonRange(request().settings.mechanism.mechanism);
    epsilon_ = std::pow(10.0, low + (high - low) * position / kSliderSteps);
    epsilon_edit_->setText(number(epsilon_));
    emit epsilonChanged(epsilon_);
    emit requestChanged();
}

void PrivacyPanel::onEpsilonTyped() {
    bool ok = false;
    const double value = epsilon_edit_->text().toDouble(&ok);
    if (ok && value > 0.0 && value != epsilon_) setEpsilon(value);
}

void PrivacyPanel::updateEpsilonControls() {
    const auto [low, high] = epsilonRange(request().settings.mechanism.mechanism);
    range_label_->setText(tr("slider: 1e%1 .. 1e%2 (log)").arg(low).arg(high));
    setEpsilon(epsilon_);
}

void PrivacyPanel::showResult(const PreviewResult& result) {
    const ReleaseAccounting& a = result.accounting;
    if (a.groups.empty()) {
        scale_label_->setText(QString("b = %1 per element (D = %2)").arg(number(a.plan->scale)).arg(a.plan->dimension));
        sensitivity_label_->setText(QString("Delta = %1 (L1)").arg(number(a.plan->l1_sensitivity)));
    } else {
        const GroupScaleSummary scales = summarizeGroupScales(a.groups);
        scale_label_->setText(tr("b_g %1 .. %2 over %3 budgeted groups (D = %4); %5 groups drawn from the prior")
                                  .arg(number(scales.smallest), number(scales.largest))
                                  .arg(scales.budgeted)
                                  .arg(a.plan->dimension)
                                  .arg(scales.prior));
        sensitivity_label_->setText(tr("Delta = sum of the groups' Delta_g = %1 (L1)").arg(number(a.plan->l1_sensitivity)));
    }
    total_label_->setText(QString::number(a.epsilon_total, 'g', 12));
    QString parts = QString::fromStdString(a.partsText()).toHtmlEscaped();
    if (!a.groups.empty())
        parts += "<br>" + tr("eps_latent is the sum of the eps_g of the allocation %1, computed from public data")
                              .arg(QString::fromStdString(a.allocation_file))
                              .toHtmlEscaped();
    parts_label_->setToolTip(a.groups.empty() ? QString()
                                              : tr("Allocation %1 (SHA-256 %2), computed from %3")
                                                    .arg(QString::fromStdString(a.allocation_file),
                                                         QString::fromStdString(a.allocation_sha256),
                                                         QString::fromStdString(a.allocation_public_data)));
    if (formalGuaranteeIsVacuous(a.epsilon_total))
        parts += "<br>" + red(QString::fromStdString(vacuousGuaranteeStatement(a.epsilon_total)));
    parts_label_->setText(parts);
    // A word-wrapped label in a grid gets the height of its first layout; give it what its text needs.
    parts_label_->setMinimumHeight(
        parts_label_->heightForWidth(std::max(parts_label_->width(), parts_label_->parentWidget()->width() - 24)));
    clip_label_->setText(tr("clipped: input %1%, output %2%").arg(100.0 * result.input_clipped_fraction, 0, 'f', 1)
                             .arg(100.0 * result.output_clipped_fraction, 0, 'f', 1));
    decode_label_->setText(tr("decode: %1 ms").arg(result.decode_ms, 0, 'f', 1));
    showSafeguardVerdict(result.safeguard);
}

void PrivacyPanel::showSafeguardVerdict(const std::optional<SafeguardVerdict>& verdict) {
    if (!verdict) {
        verdict_label_->setText(safeguard_->isChecked() ? tr("choose a reference manifest to apply the safeguard") : QString());
        return;
    }
    const QString distance = QString::number(verdict->nearest_distance, 'f', 3);
    const QString tau = QString::number(verdict->tau, 'f', 3);
    QString text;
    if (verdict->passes())
        text = tr("nearest reference %1 \u2265 tau %2: released").arg(distance, tau).toHtmlEscaped();
    else if (verdict->policy == SafeguardPolicy::Resample && verdict->tries > 1)
        text = red(tr("nearest reference %1 < tau %2: this draw would be redrawn on export (up to %3 draws in all)")
                       .arg(distance, tau).arg(verdict->tries));
    else
        text = red(tr("nearest reference %1 < tau %2: withheld on export").arg(distance, tau));
    if (verdict->reference_holds_image)
        text += "<br>" + red(tr("the reference set contains this image's own file (same SHA-256): it is private, so the "
                                "export's formal guarantee will not hold"));
    else if (!verdict->reference_public)
        text += "<br>" + tr("reference set not marked public: the export's formal guarantee will not hold").toHtmlEscaped();
    verdict_label_->setText(text);
}

void PrivacyPanel::showError(const QString& message) {
    parts_label_->setText(red(message));
    verdict_label_->clear();
}

void PrivacyPanel::setDevice(const QString& device, const QString& model_name) {
    device_label_->setText(tr("device: %1   model: %2").arg(device == "cuda" ? tr("GPU (CUDA)") : tr("CPU"), model_name));
}

}  // namespace dpflow::ui
