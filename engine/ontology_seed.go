package engine

import "strings"

// Built-in ontologies. Their ids and the ids of their types are persisted
// (objects store type ids): append only, never renumber.
const (
	OntologyRequired = 1
	OntologyDefault  = 2
	OntologyBACnet   = 3
)

func seedOntologies() []*Ontology {
	return []*Ontology{
		{ID: OntologyRequired, Name: "Required", Loaded: true,
			Description: "Types every graph needs: None in each category, Active and Disabled statuses, the IoTHub resource."},
		{ID: OntologyDefault, Name: "Default", Loaded: true,
			Description: "Generic names for buildings: space types from Tenant to Desk, room subtypes, the common sensor data types and units."},
		{ID: OntologyBACnet, Name: "BACnet", Loaded: false,
			Description: "Building-automation sensor types, data types, subtypes and units in the style of BACnet objects."},
	}
}

// seedTable lists the built-in types: ontology, category, names. Ids are
// given in order from 1; a name's id depends on its place, so only append.
var seedTable = []struct {
	ont   int
	cat   Category
	names string
}{
	{OntologyRequired, SpaceType, "None"},
	{OntologyRequired, SpaceSubtype, "None"},
	{OntologyRequired, SpaceStatus, "None,Active,Disabled"},
	{OntologyRequired, DeviceType, "None"},
	{OntologyRequired, DeviceSubtype, "None"},
	{OntologyRequired, SensorType, "None,Classic"},
	{OntologyRequired, SensorDataType, "None"},
	{OntologyRequired, SensorDataSubtype, "None"},
	{OntologyRequired, SensorDataUnitType, "None"},
	{OntologyRequired, SensorPortType, "None"},
	{OntologyRequired, SpaceBlobType, "None"},
	{OntologyRequired, SpaceBlobSubtype, "None"},
	{OntologyRequired, DeviceBlobType, "None"},
	{OntologyRequired, DeviceBlobSubtype, "None"},
	{OntologyRequired, UserBlobType, "None"},
	{OntologyRequired, UserBlobSubtype, "None"},
	{OntologyRequired, SpaceResourceType, "None,IoTHub"},

	{OntologyDefault, SpaceType, "Tenant,Customer,Region,Campus,Venue,Building,Floor,Area,Room,Workstation,Desk,Chair,Parking,Zone,Outdoor,Garden,Greenhouse,Field"},
	{OntologyDefault, SpaceSubtype, "FocusRoom,ConferenceRoom,BathRoom,Office,OpenSpace,MeetingRoom,PhoneRoom,TeamRoom,Kitchen,Lobby,Corridor,Reception,ServerRoom,StorageRoom,CopyRoom,WellnessRoom,Restroom,Classroom,Lab,Warehouse,Shop,Restaurant," +
		"StoreVenue,SalesVenue,MarketingVenue,NeighborhoodArea,ConfRoomArea,PhoneRoomArea,TeamRoomArea,FocusRoomArea,ParkingSpot,ChargingBay,GardenBed"},
	{OntologyDefault, DeviceType, "Generic,RaspberryPi,SensorPod,Gateway,Thermostat,Meter,Charger,Controller,Camera,Beacon"},
	{OntologyDefault, DeviceSubtype, "Gateway,Controller,Battery,Switch,AirHandlerUnit,VariableAirVolume,Hvac,Lighting,EvCharger,Irrigation"},
	{OntologyDefault, SensorDataType, "Motion,Temperature,CarbonDioxide,Humidity,Light,Sound,Occupancy,Power,Energy,SoilMoisture," +
		"Pressure,AirQuality,VolatileOrganicCompounds,ParticulateMatter,Presence,PeopleCount,DoorOpen,WindowOpen,WaterLeak,WaterFlow," +
		"Voltage,Current,StateOfCharge,Rainfall,WindSpeed,TemperatureSetpoint,Smoke,Vibration,Battery,Generic"},
	{OntologyDefault, SensorDataSubtype, "OutsideAirTemperature,ReturnAirTemperature,SupplyAirTemperature,InsideTemperature,OutsideTemperature,MicrophoneSound,SoundImpact,VoiceSound,ActivePower,ReactivePower"},
	{OntologyDefault, SensorDataUnitType, "Celsius,Fahrenheit,Kelvin,CelsiusTemperature,FahrenheitTemperature,Decibels,Pascal,Hectopascal,CubicFeetPerMinute,Seconds," +
		"PartsPerMillion,PartsPerBillion,Percent,RelativeHumidity,Lux,Watt,Kilowatt,KilowattHour,Volt,Ampere,Count,Boolean,LitersPerSecond,CubicMetersPerHour,Millimeters,MetersPerSecond,MicrogramsPerCubicMeter"},
	{OntologyDefault, SensorPortType, "AnalogInput,AnalogOutput,BinaryInput,BinaryOutput"},
	{OntologyDefault, SpaceBlobType, "Map,Image"},
	{OntologyDefault, SpaceBlobSubtype, "GenericMap,ElectricalMap,SatelliteMap,WayfindingMap"},
	{OntologyDefault, DeviceBlobType, "Model,Specification"},
	{OntologyDefault, DeviceBlobSubtype, "PhysicalModel,LogicalModel,KitSpecification,FunctionalSpecification"},
	{OntologyDefault, UserBlobType, "Image,Video"},
	{OntologyDefault, UserBlobSubtype, "ProfessionalImage,VacationImage,CommercialVideo"},

	{OntologyBACnet, SensorType, "AnalogInput,AnalogOutput,AnalogValue,BinaryInput,BinaryOutput,BinaryValue,MultiStateInput,MultiStateOutput,MultiStateValue,Accumulator"},
	{OntologyBACnet, SensorDataType, "AirFlow,StaticPressure,DifferentialPressure,DamperPosition,ValvePosition,FanSpeed,FanStatus,PumpStatus,ChilledWaterTemperature,HotWaterTemperature,Enthalpy,DewPoint"},
	{OntologyBACnet, SensorDataSubtype, "MixedAirTemperature,DischargeAirTemperature,ZoneTemperature,ChilledWaterSupply,ChilledWaterReturn,HotWaterSupply,HotWaterReturn"},
	{OntologyBACnet, SensorDataUnitType, "InchesOfWater,PoundsPerSquareInch,Revolutionsperminute,GallonsPerMinute,BritishThermalUnitsPerHour,Tons,Kilopascal"},
}

func seedTypes() []*ExtendedType {
	var out []*ExtendedType
	id := 0
	order := map[Category]int{}
	for _, row := range seedTable {
		for _, n := range strings.Split(row.names, ",") {
			id++
			order[row.cat]++
			out = append(out, &ExtendedType{ID: id, Category: row.cat, Name: n, LogicalOrder: order[row.cat], Ontologies: []int{row.ont}})
		}
	}
	return out
}
