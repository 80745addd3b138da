; Folio's Windows installer (NSIS 3, Unicode), built on Linux by scripts/windows-installer.sh
; with Debian's makensis. Tauri's own NSIS bundling cannot run here: it downloads a plugin DLL
; from GitHub first (docs/adr/0010-windows-gnu-cross-build.md).
;
; What it does, for the member's account only (no administrator rights asked):
;   - copies folio-desktop.exe, folio.exe (the command line) and WebView2Loader.dll into
;     %LOCALAPPDATA%\Programs\Folio;
;   - registers Folio's link, health.folio.desktop:, under HKCU\Software\Classes, so a plan's
;     redirect to it opens the app (the app's deep-link plugin registers the same at start);
;   - adds a Start menu entry and an "Apps & features" entry with its uninstaller.
; The uninstaller removes all of that, and the "open at login" entry the app may have made. It
; keeps the member's records (%APPDATA%\health.folio.desktop) and keychain entries: Folio's
; "Remove all my data" removes those, and a reinstall finds them.
;
; Defines given by the build script: VERSION (x.y.z), DESKTOP_EXE, CLI_EXE, WEBVIEW2_LOADER,
; ICON, OUT_FILE.

; A 64-bit installer for a 64-bit app (Folio is built for x86_64 only; this also lets Wine
; without its 32-bit part run it in CI).
Target amd64-unicode
ManifestDPIAware true
SetCompressor /SOLID lzma
RequestExecutionLevel user

!define APP_ID "health.folio.desktop"
!define SCHEME "health.folio.desktop"
!define PRODUCT "Folio"
!define PUBLISHER "Folio"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${APP_ID}"
!define RUN_KEY "Software\Microsoft\Windows\CurrentVersion\Run"
; The Evergreen WebView2 Runtime's client id (where Windows records its version).
!define WEBVIEW2_CLIENT "{F3017226-FE2A-4295-8BDF-00C3A9A7E4C5}"

Name "${PRODUCT}"
OutFile "${OUT_FILE}"
InstallDir "$LOCALAPPDATA\Programs\${PRODUCT}"
InstallDirRegKey HKCU "Software\${APP_ID}" "InstallDir"
BrandingText "${PRODUCT} ${VERSION}"

VIProductVersion "${VERSION}.0"
VIAddVersionKey "ProductName" "${PRODUCT}"
VIAddVersionKey "FileDescription" "${PRODUCT} installer"
VIAddVersionKey "FileVersion" "${VERSION}"
VIAddVersionKey "ProductVersion" "${VERSION}"
VIAddVersionKey "LegalCopyright" "Apache-2.0"

!include "MUI2.nsh"
!define MUI_ICON "${ICON}"
!define MUI_UNICON "${ICON}"
!define MUI_ABORTWARNING
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!define MUI_FINISHPAGE_RUN "$INSTDIR\folio-desktop.exe"
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
; The installer speaks the member's Windows language when it is one of these.
!insertmacro MUI_LANGUAGE "English"
!insertmacro MUI_LANGUAGE "Spanish"

Function .onInit
  SetShellVarContext current
  ; Folio's window is a WebView2. Windows 11 and an up-to-date Windows 10 have its runtime;
  ; without it the app cannot open its window, so say where to get it (the installer does not
  ; download anything itself).
  SetRegView 64
  ReadRegStr $0 HKLM "SOFTWARE\WOW6432Node\Microsoft\EdgeUpdate\Clients\${WEBVIEW2_CLIENT}" "pv"
  StrCmp $0 "" 0 webview2_found
  ReadRegStr $0 HKCU "Software\Microsoft\EdgeUpdate\Clients\${WEBVIEW2_CLIENT}" "pv"
  StrCmp $0 "" 0 webview2_found
  MessageBox MB_OK|MB_ICONINFORMATION "Folio's window needs the Microsoft Edge WebView2 Runtime, which this computer does not seem to have. Folio will be installed; install the WebView2 Runtime from Microsoft before opening it. The folio command line works without it." /SD IDOK
  webview2_found:
FunctionEnd

Function un.onInit
  SetShellVarContext current
FunctionEnd

Section "Folio"
  SetOutPath "$INSTDIR"
  File "/oname=folio-desktop.exe" "${DESKTOP_EXE}"
  File "/oname=folio.exe" "${CLI_EXE}"
  File "/oname=WebView2Loader.dll" "${WEBVIEW2_LOADER}"
  WriteUninstaller "$INSTDIR\uninstall.exe"
  WriteRegStr HKCU "Software\${APP_ID}" "InstallDir" "$INSTDIR"

  ; Folio's link: a plan that returns to health.folio.desktop:/cb/... opens the app with it.
  WriteRegStr HKCU "Software\Classes\${SCHEME}" "" "URL:${PRODUCT}"
  WriteRegStr HKCU "Software\Classes\${SCHEME}" "URL Protocol" ""
  WriteRegStr HKCU "Software\Classes\${SCHEME}\DefaultIcon" "" '"$INSTDIR\folio-desktop.exe",0'
  WriteRegStr HKCU "Software\Classes\${SCHEME}\shell\open\command" "" '"$INSTDIR\folio-desktop.exe" "%1"'

  CreateShortCut "$SMPROGRAMS\${PRODUCT}.lnk" "$INSTDIR\folio-desktop.exe" "" "$INSTDIR\folio-desktop.exe" 0

  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayName" "${PRODUCT}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayIcon" '"$INSTDIR\folio-desktop.exe",0'
  WriteRegStr HKCU "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKCU "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoRepair" 1
SectionEnd

Section "Uninstall"
  Delete "$INSTDIR\folio-desktop.exe"
  Delete "$INSTDIR\folio.exe"
  Delete "$INSTDIR\WebView2Loader.dll"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  Delete "$SMPROGRAMS\${PRODUCT}.lnk"
  DeleteRegKey HKCU "Software\Classes\${SCHEME}"
  DeleteRegKey HKCU "${UNINSTALL_KEY}"
  DeleteRegKey HKCU "Software\${APP_ID}"
  ; "Open Folio when I log in" (tauri-plugin-autostart names the entry after the product).
  DeleteRegValue HKCU "${RUN_KEY}" "${PRODUCT}"
  DeleteRegValue HKCU "Software\Microsoft\Windows\CurrentVersion\Explorer\StartupApproved\Run" "${PRODUCT}"
SectionEnd
