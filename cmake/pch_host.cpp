// The program that owns the precompiled header every executable of the build
// reuses (cmake/build_speed.cmake says why it is needed). It does nothing.
int main() { return 0; }
