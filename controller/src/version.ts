/** The capd release this code is. */
export const CAPD_VERSION = '0.2.0'
