/* A stand-in for Windows' bcryptprimitives.dll, for Wine 8 only (Debian 12's Wine has no such
 * DLL; Windows 10 and later do). Rust's standard library asks it for random bytes
 * (ProcessPrng); this answers from RtlGenRandom, which Wine implements. It goes into the test's
 * Wine prefix (scripts/windows-test.sh), never into the installer. */
#include <windows.h>
#include <ntsecapi.h>

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
  while (len > 0) {
    ULONG n = len > 0x10000000 ? 0x10000000 : (ULONG)len;
    if (!RtlGenRandom(data, n)) return FALSE;
    data += n;
    len -= n;
  }
  return TRUE;
}
