package io.acrcache.webhook.doctor;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** A fresh {@link DoctorBed} for every test. */
abstract class BedTest {
    @TempDir
    Path dir;

    DoctorBed bed;

    @BeforeEach
    void startBed() throws Exception {
        bed = new DoctorBed(dir);
    }

    @AfterEach
    void stopBed() throws Exception {
        bed.close();
    }
}
