package sandbox

// WithGPS lets the external tests make JPEGs that carry a GPS position.
var WithGPS = withGPS
