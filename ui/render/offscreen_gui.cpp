#include "render/offscreen_gui.h"

#include <QApplication>

#include <cstdlib>
#include <stdexcept>

namespace dpflow {

void ensureOffscreenGui() {
    if (QCoreApplication::instance() == nullptr) {
        // The CLI runs on servers without a display; the offscreen platform renders fonts,
        // images and widgets in memory. QApplication keeps references to argc/argv for its lifetime.
        static int argc = 1;
        static char name[] = "dpflow";
        static char* argv[] = {name, nullptr};
        ::setenv("QT_QPA_PLATFORM", "offscreen", 0);
        static QApplication application(argc, argv);
    }
    if (qobject_cast<QApplication*>(QCoreApplication::instance()) == nullptr) {
        throw std::runtime_error("cannot draw offscreen: this process runs a Qt application without widgets, "
                                 "and plots need a QApplication");
    }
}

}  // namespace dpflow
