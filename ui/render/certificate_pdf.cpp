#include "render/certificate_pdf.h"

#include <nlohmann/json.hpp>

#include <QAbstractTextDocumentLayout>
#include <QImage>
#include <QPageLayout>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QString>
#include <QTextDocument>

#include <stdexcept>
#include <string>

namespace dpflow {
namespace {

using nlohmann::json;

QString esc(const std::string& text) {
    return QString::fromStdString(text).toHtmlEscaped();
}

// A JSON value as a short text: strings as they are, numbers with 6 significant digits.
QString value(const json& v) {
    if (v.is_null()) return QStringLiteral("—");
    if (v.is_string()) return esc(v.get<std::string>());
    if (v.is_number_float()) return QString::number(v.get<double>(), 'g', 6);
    if (v.is_boolean()) return v.get<bool>() ? QStringLiteral("yes") : QStringLiteral("no");
    return esc(v.dump());
}

QString row(const QString& name, const QString& text) {
    return QStringLiteral("<tr><td width='32%'><b>%1</b></td><td>%2</td></tr>").arg(name, text);
}

QString table(const QString& rows) {
    return QStringLiteral("<table width='100%' cellspacing='0' cellpadding='3' border='1' style='border-collapse:collapse'>%1</table>").arg(rows);
}

QString evaluationSection(const json& e) {
    if (e.is_null()) return QStringLiteral("<p>No evaluation sweep was given for this release (<i>--evaluation</i>).</p>");
    QString rows = row("Sweep results", value(e.at("file")) + "<br/><small>SHA-256 " + value(e.at("sha256")) + "</small>");
    rows += row("Same model as the release", value(e.at("model_matches")));
    if (!e.at("found").get<bool>())
        return table(rows + row("Figures", "the sweep has no row at this mechanism and epsilon"));
    const json& r = e.at("row");
    auto auc = [&](const char* prefix) {
        const json& a = r.at(std::string(prefix) + "_auc");
        if (a.is_null()) return QStringLiteral("not measured");
        const json& ci = r.at(std::string(prefix) + "_ci");
        return QStringLiteral("%1 (95% CI %2 – %3)").arg(value(a), value(ci.at(0)), value(ci.at(1)));
    };
    rows += row("Test images", value(r.at("test_images")));
    rows += row("AUC, classifier trained on originals, tested on privatized", auc("protocol_a"));
    rows += row("AUC, classifier trained on privatized, tested on originals", auc("protocol_b"));
    rows += row("Mean SSIM / PSNR (dB)", value(r.at("mean_ssim")) + " / " + value(r.at("mean_psnr")));
    bool measured = false;
    for (const auto& [name, a] : r.at("attackers").items())
        measured = measured || !a.at("identification_top1").is_null() || !a.at("linkage_top1").is_null();
    if (!measured) return table(rows + row("Re-identification", "not measured by this sweep (run dpflow sweep --reid)"));
    if (const json& v = e.value("verdict", json(nullptr)); !v.is_null()) {
        if (const json& here = v.at("at_this_epsilon"); !here.is_null())
            rows += row("Strongest attack at this ε",
                        QStringLiteral("%1: top-1 %2 (%3 of %4), 95% upper bound %5 against 2 × chance %6 — %7")
                            .arg(value(here.at("strongest_attack")), value(here.at("top1")), value(here.at("hits")),
                                 value(here.at("probes")), value(here.at("upper_bound_95")), value(here.at("line")),
                                 here.at("all_attacks_at_chance").get<bool>() ? QStringLiteral("every attack at chance")
                                                                              : QStringLiteral("NOT at chance")));
        rows += row("Verdict of the sweep", value(v.at("statement")));
    }
    for (const auto& [name, a] : r.at("attackers").items())
        rows += row(QStringLiteral("Re-identification, %1 attacker").arg(esc(name)),
                    QStringLiteral("identification top-1 %1 (chance %2); linkage top-1 %3 (chance %4)")
                        .arg(value(a.at("identification_top1")), value(a.at("identification_chance")),
                             value(a.at("linkage_top1")), value(a.at("linkage_chance"))));
    return table(rows);
}

QString certificateHtml(const json& c) {
    const json& acc = c.at("accounting");
    QString html = QStringLiteral("<html><body style='font-family:sans-serif; font-size:9pt'>");
    html += "<h1>Release certificate</h1><p>DP-Flow Studio " + value(c.at("software").at("version")) + " — created " +
            value(c.at("created_utc")) + "</p>";
    if (!c.at("randomness").at("private").get<bool>())
        html += "<h2 style='color:#b00000'>NOT PRIVATE: made with seeded test randomness</h2>";
    if (!c.at("guarantee").at("holds").get<bool>())
        html += "<p style='color:#b00000'><b>The formal differential-privacy guarantee does not hold: </b>" +
                value(c.at("guarantee").at("statement")) + "</p>";
    html += "<h2>For the ethics board</h2><p style='background-color:#f2f2f2'>" + value(c.at("ethics_statement")) + "</p>";

    const json& counts = c.at("counts");
    QString shards;
    for (const auto& s : c.at("shards")) shards += value(s) + " ";
    html += "<h2>Release</h2>" +
            table(row("Purpose", value(c.at("purpose"))) +
                  row("Images released / withheld / failed",
                      QStringLiteral("%1 / %2 / %3").arg(value(counts.at("released")), value(counts.at("withheld")), value(counts.at("failed")))) +
                  row("Shards", shards) + row("Settings fingerprint", value(c.at("settings_fingerprint"))) +
                  row("Release manifest SHA-256", value(c.at("release_manifest").at("sha256"))) +
                  row("Certificate SHA-256", value(c.at("certificate_sha256"))));

    const json& eps = acc.at("epsilon");
    QString privacy = row("Mechanism", value(acc.at("mechanism"))) + row("Epsilon per image (parts)", value(eps.at("parts"))) +
                      row("Epsilon per image, total", value(eps.at("total"))) +
                      row("Largest epsilon spent on one image", value(c.at("epsilon_per_image_max")));
    if (!acc.at("noise").is_null()) {
        const json& n = acc.at("noise");
        privacy += row("Dimension D", value(n.at("dimension"))) + row("L1 sensitivity Δ", value(n.at("l1_sensitivity"))) +
                   row("Grid r / accounted sensitivity Δ_r", value(n.at("granularity")) + " / " + value(n.at("accounted_sensitivity"))) +
                   row("Laplace scale b per element", value(n.at("scale_b")));
    }
    privacy += row("Randomness", value(c.at("randomness").at("source")));
    privacy += row("Guarantee", value(c.at("guarantee").at("statement")));
    html += "<h2>Privacy accounting</h2>" + table(privacy);

    QString attributes;
    for (const auto& name : c.at("attributes").at("disclosed")) attributes += row(value(name), "disclosed exactly (in the release manifest)");
    for (const auto& p : c.at("attributes").at("protected"))
        attributes += row(value(p.at("name")), QStringLiteral("protected: %1, eps %2, true value kept with probability %3; not in the manifest")
                                                   .arg(value(p.at("method")), value(p.at("epsilon")), value(p.at("keep_probability"))));
    if (attributes.isEmpty()) attributes = row("—", "no attributes");
    html += "<h2>Attributes</h2>" + table(attributes);

    const json& g = c.at("safeguard");
    html += "<h2>Nearest-neighbour safeguard</h2>" +
            (g.is_null() ? QStringLiteral("<p>Not configured.</p>")
                         : table(row("Reference set", value(g.at("reference"))) + row("Threshold τ", value(g.at("tau"))) +
                                 row("Policy / tries", value(g.at("policy")) + " / " + value(g.at("tries"))) +
                                 row("Reference asserted public", value(g.at("reference_public"))) +
                                 row("Images withheld", value(counts.at("withheld")))));

    const json& m = c.at("model");
    if (!m.is_null()) {
        const json& card = m.at("card");
        html += "<h2>Model</h2>" +
                table(row("File", value(m.at("name"))) + row("SHA-256", value(m.at("sha256"))) +
                      row("Training data", value(card.value("training", json::object()).value("data", json(nullptr)))) +
                      row("Calibration set", value(card.value("calibration", json::object()).value("set", json(nullptr)))) +
                      row("Image size", value(card.at("architecture").at("image_size"))));
    }
    html += "<h2>Measured utility and re-identification at this epsilon</h2>" + evaluationSection(c.at("evaluation"));

    QString files;
    for (const auto& image : c.at("images"))
        for (const auto& f : image.at("files"))
            files += QStringLiteral("<tr><td>%1</td><td>%2</td><td><tt>%3</tt></td></tr>")
                         .arg(value(f.at("path")), value(image.at("status")), value(f.at("sha256")));
    html += "<h2>Output files (SHA-256)</h2><p>Publish the images, the release manifest and this certificate; the records, "
            "audit trail and ledger stay with the data controller.</p>"
            "<table width='100%' cellspacing='0' cellpadding='1' border='1' style='border-collapse:collapse; font-size:6pt'>"
            "<tr><th>file</th><th>status</th><th>SHA-256</th></tr>" + files + "</table>";
    return html + "</body></html>";
}

// The document laid out on A4 pages of `page_width_points` x height at the given resolution.
void layoutDocument(QTextDocument& document, const json& certificate, const QSizeF& page_size) {
    try {
        document.setHtml(certificateHtml(certificate));
    } catch (const json::exception& e) {
        throw std::invalid_argument(std::string("the certificate lacks a field the PDF shows: ") + e.what());
    }
    document.setPageSize(page_size);
}

}  // namespace

void writeCertificatePdf(const json& certificate, const std::filesystem::path& pdf) {
    QPdfWriter writer(QString::fromStdString(pdf.string()));
    writer.setPageSize(QPageSize(QPageSize::A4));
    writer.setPageMargins(QMarginsF(15, 15, 15, 15), QPageLayout::Millimeter);
    writer.setResolution(300);
    writer.setTitle(QStringLiteral("DP-Flow Studio release certificate"));
    writer.setCreator(QStringLiteral("DP-Flow Studio"));
    QTextDocument document;
    // QTextDocument::print paginates (no line cut between pages) and numbers the pages.
    layoutDocument(document, certificate, writer.pageLayout().paintRect(QPageLayout::Point).size());
    document.print(&writer);
    if (!std::filesystem::exists(pdf) || std::filesystem::file_size(pdf) == 0)
        throw std::runtime_error(pdf.string() + ": cannot write the certificate PDF");
}

void writeCertificateFirstPagePng(const json& certificate, const std::filesystem::path& png, int width_px) {
    const QSizeF a4 = QPageSize(QPageSize::A4).size(QPageSize::Point);
    const QSizeF margins(2 * 15 / 25.4 * 72, 2 * 15 / 25.4 * 72);
    QTextDocument document;
    layoutDocument(document, certificate, a4 - margins);
    const double scale = width_px / a4.width();
    QImage image(QSize(width_px, static_cast<int>(a4.height() * scale)), QImage::Format_RGB32);
    image.fill(Qt::white);
    QPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.scale(scale, scale);
    painter.translate(margins.width() / 2, margins.height() / 2);
    document.drawContents(&painter, QRectF(QPointF(0, 0), a4 - margins));
    painter.end();
    if (!image.save(QString::fromStdString(png.string()), "PNG"))
        throw std::runtime_error(png.string() + ": cannot write the certificate preview");
}

}  // namespace dpflow
