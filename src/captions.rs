//! Caption files: SRT and WebVTT read with file:line errors, linted, and
//! written back out timed to the output timeline.
