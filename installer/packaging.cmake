# CPack configuration: `cpack -G DEB` in the build folder produces an installable Debian package
# with both executables, the shipped models, the desktop entry, AppStream metainfo and icon.

set(CPACK_PACKAGE_NAME "dpflow-studio")
set(CPACK_PACKAGE_VENDOR "DP-Flow Studio developers")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_CONTACT "DP-Flow Studio developers <dpflow@localhost>")
set(CPACK_PACKAGE_INSTALL_DIRECTORY "dpflow-studio")
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
set(CPACK_GENERATOR "DEB")

set(CPACK_DEBIAN_PACKAGE_SECTION "science")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
# Runtime libraries are discovered from the installed binaries with dpkg-shlibdeps; the BLAS
# is added by hand because LibTorch reaches it through Debian's alternatives, not a direct link.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libopenblas0-pthread")

include(CPack)
