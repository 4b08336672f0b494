#ifndef LAYERSWEEP_CMOUNT_SHIM_H
#define LAYERSWEEP_CMOUNT_SHIM_H

#include <libmount/libmount.h>

#endif
