// libqrencode (Debian's libqrencode-dev) draws the enrolment QR code; nothing of it is rewritten here.
#include <qrencode.h>
