/** Exit codes, DESIGN.md section 8. */
export const EXIT_OK = 0;
export const EXIT_USER_ERROR = 1;
export const EXIT_CONFLICTS = 2;
export const EXIT_INTERNAL = 3;
